import { Args } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { parseUint, U32_MAX } from '../../cli/numbers.js';
import { record } from '../../cli/output.js';

export default class EvtchnNotify extends XgtCommand {
  static replayable = true;
  static summary = 'Send an event on a port bound through xgt (NOTIFY)';
  static examples = ['<%= config.bin %> evtchn notify 18'];
  static args = { port: Args.string({ ignoreStdin: true, required: true, description: 'the local port' }) };

  async run() {
    const { args, flags } = await this.parse(EvtchnNotify);
    const port = parseUint(args.port, 'PORT', U32_MAX);
    const res = await this.withBackend(flags, (b) => b.evtchn.notify(port));
    this.human(() => record(res));
    return res;
  }
}
