import { Args } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { parseUint, U16_MAX } from '../../cli/numbers.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class DomainDestroy extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"domid", "state": "destroyed" | "dying"}';
  static summary = 'Destroy a domain of the emulated host';
  static description = 'A domain whose grants others still map stays dying until they unmap them.';
  static examples = ['<%= config.bin %> domain destroy 1'];
  static args = { domid: Args.string({ ignoreStdin: true, required: true, description: 'the domain' }) };

  plan({ args, flags }: Parsed<typeof DomainDestroy>): Plan {
    return { choice: this.choice(flags), step: call('domains.destroy', parseUint(args.domid, 'DOMID', U16_MAX)) };
  }
}
