import { XgtCommand } from '../../cli/base.js';
import { indexArg, parseIndex } from '../../cli/flags.js';
import { record } from '../../cli/output.js';

export default class GnttabUnmap extends XgtCommand {
  static replayable = true;
  static summary = 'Unmap a mapping made by gnttab map (gntdev UNMAP_GRANT_REF + munmap)';
  static examples = ['<%= config.bin %> gnttab unmap 0'];
  static args = { index: indexArg };

  async run() {
    const { args, flags } = await this.parse(GnttabUnmap);
    const index = parseIndex(args.index);
    const res = await this.withBackend(flags, (b) => b.gnttab.unmap(index));
    this.human(() => record(res));
    return res;
  }
}
