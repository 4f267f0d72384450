import { Args } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { parseUint, U32_MAX } from '../../cli/numbers.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class EvtchnNotify extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"port"}';
  static summary = 'Send an event on a port bound through xgt (NOTIFY)';
  static examples = ['<%= config.bin %> evtchn notify 18'];
  static args = { port: Args.string({ ignoreStdin: true, required: true, description: 'the local port' }) };

  plan({ args, flags }: Parsed<typeof EvtchnNotify>): Plan {
    return { choice: this.choice(flags), step: call('evtchn.notify', parseUint(args.port, 'PORT', U32_MAX)) };
  }
}
