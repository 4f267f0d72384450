import { XgtCommand } from '../../cli/base.js';
import { indexArg, parseIndex } from '../../cli/flags.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class GnttabUnmap extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"index", "domid", "refs": [...], "count"}';
  static summary = 'Unmap a mapping made by gnttab map (gntdev UNMAP_GRANT_REF + munmap)';
  static examples = ['<%= config.bin %> gnttab unmap 0'];
  static args = { index: indexArg };

  plan({ args, flags }: Parsed<typeof GnttabUnmap>): Plan {
    return { choice: this.choice(flags), step: call('gnttab.unmap', parseIndex(args.index)) };
  }
}
