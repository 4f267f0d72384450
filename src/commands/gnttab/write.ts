import { XgtCommand } from '../../cli/base.js';
import { pageTarget, targetFlags } from '../../cli/page-target.js';
import { record } from '../../cli/output.js';
import { payloadFlags, readPayload } from '../../cli/payload.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class GnttabWrite extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"written"}';
  static summary = 'Write bytes into a shared page, through a mapping (--index) or a grant (--ref)';
  static examples = [
    '<%= config.bin %> gnttab write --index 0 --offset 4096 --data hello',
    '<%= config.bin %> gnttab write --ref 8 --hex deadbeef',
  ];
  static flags = {
    ...targetFlags,
    ...payloadFlags,
  };

  plan({ flags }: Parsed<typeof GnttabWrite>): Plan<number> {
    const target = pageTarget(this.op, flags);
    return {
      choice: this.choice(flags),
      step: call('gnttab.write', target, flags.offset, readPayload(this.op, flags, MAX_BYTES, `any mapping (${MAX_BYTES} bytes)`)),
      json: (written) => ({ written }),
      human: (written) => record({ written }),
    };
  }
}

/** No mapping is larger than gntdev's per-call limit; a longer input (say /dev/zero) is refused, never read whole. */
const MAX_BYTES = 65536 * 4096;
