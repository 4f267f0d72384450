import { Args } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { parseUint, U32_MAX } from '../../cli/numbers.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class EvtchnUnbind extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"port"}';
  static summary = 'Close a port bound through xgt (UNBIND); an interdomain peer turns unbound';
  static examples = ['<%= config.bin %> evtchn unbind 18'];
  static args = { port: Args.string({ ignoreStdin: true, required: true, description: 'the local port' }) };

  plan({ args, flags }: Parsed<typeof EvtchnUnbind>): Plan {
    return { choice: this.choice(flags), step: call('evtchn.unbind', parseUint(args.port, 'PORT', U32_MAX)) };
  }
}
