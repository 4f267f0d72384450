import { XgtCommand } from '../../cli/base.js';
import { indexArg, parseIndex } from '../../cli/flags.js';
import { record } from '../../cli/output.js';

export default class GnttabUngrant extends XgtCommand {
  static replayable = true;
  static summary = 'End a grant run made by gnttab grant (gntalloc DEALLOC_GREF)';
  static description = 'Refs the grantee still maps stay granted until it unmaps them; they are listed as deferred.';
  static examples = ['<%= config.bin %> gnttab ungrant 0'];
  static args = { index: indexArg };

  async run() {
    const { args, flags } = await this.parse(GnttabUngrant);
    const index = parseIndex(args.index);
    const res = await this.withBackend(flags, (b) => b.gnttab.ungrant(index));
    this.human(() => record(res));
    return res;
  }
}
