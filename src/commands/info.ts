import { XgtCommand } from '../cli/base.js';
import { record } from '../cli/output.js';

export default class Info extends XgtCommand {
  static summary = 'Show the backend, the Xen version, the acting domain, features and limits';
  static examples = ['<%= config.bin %> info', '<%= config.bin %> info --backend emu --json'];

  async run() {
    const { flags } = await this.parse(Info);
    const res = await this.withBackend(flags, (b) => b.info());
    this.human(() => record({ ...res }));
    return res;
  }
}
