import { XgtCommand } from '../../cli/base.js';
import { uintFlag } from '../../cli/flags.js';
import { parseUint, U32_MAX } from '../../cli/numbers.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class EvtchnWait extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"ports": [...]} (nothing within --timeout: exit 1, ETIMEDOUT)';
  static summary = 'Wait for events: read the delivered ports and unmask them again';
  static description = 'With PORTs, only those are taken. Nothing within --timeout: exit 1, ETIMEDOUT; --timeout 0 polls.';
  static examples = ['<%= config.bin %> evtchn wait --timeout 1000', '<%= config.bin %> evtchn wait 18 --timeout 0 --json'];
  static strict = false;
  static usage = 'evtchn wait [PORT...] [--timeout MS]';
  static flags = { timeout: uintFlag('timeout', 'milliseconds to wait (default: for ever)', 24 * 3600 * 1000)() };

  plan({ argv, flags }: Parsed<typeof EvtchnWait>): Plan {
    const ports = (argv as string[]).map((p) => parseUint(p, 'PORT', U32_MAX));
    return { choice: this.choice(flags), step: call('evtchn.wait', ports, flags.timeout) };
  }
}
