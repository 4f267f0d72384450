import { EmuCommand } from '../../cli/emu-command.js';
import { record } from '../../cli/output.js';
import { resetHost } from '../../emu/admin.js';

export default class EmuReset extends EmuCommand {
  static summary = 'Empty the emulated host: back to just Domain-0';
  static examples = ['<%= config.bin %> emu reset'];

  async run() {
    const { flags } = await this.parse(EmuReset);
    const res = this.withStore(flags, (st) => {
      st.tx(() => resetHost(st));
      return { state: st.path, action: 'reset' };
    });
    this.human(() => record(res));
    return res;
  }
}
