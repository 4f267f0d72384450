import { XgtCommand } from '../../cli/base.js';
import { indexArg, parseIndex } from '../../cli/flags.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class GnttabUngrant extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"index", "refs": [...], "deferred": [refs the grantee still maps]}';
  static summary = 'End a grant run made by gnttab grant (gntalloc DEALLOC_GREF)';
  static description = 'Refs the grantee still maps stay granted until it unmaps them; they are listed as deferred.';
  static examples = ['<%= config.bin %> gnttab ungrant 0'];
  static args = { index: indexArg };

  plan({ args, flags }: Parsed<typeof GnttabUngrant>): Plan {
    return { choice: this.choice(flags), step: call('gnttab.ungrant', parseIndex(args.index)) };
  }
}
