import { XgtCommand } from '../../cli/base.js';
import { uintFlag } from '../../cli/flags.js';
import { record } from '../../cli/output.js';
import { usage } from '../../errors.js';
import type { Parsed, Plan } from '../../cli/plan.js';
import type { UngrantResult, UnmapResult } from '../../backend/types.js';

export default class ShbufFree extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"unmapped": gnttab unmap\'s result | null, "ungranted": gnttab ungrant\'s result | null}';
  static summary = "Free a buffer: unmap our mapping of it (--mapping) and/or end our grants of it (--grant)";
  static examples = ['<%= config.bin %> shbuf free --mapping 0', '<%= config.bin %> shbuf free --grant 0'];
  static flags = {
    mapping: uintFlag('mapping', 'the index shbuf map returned')(),
    grant: uintFlag('grant', 'the index shbuf alloc or shbuf fill returned')(),
  };

  plan({ flags }: Parsed<typeof ShbufFree>): Plan<{ unmapped: UnmapResult | null; ungranted: UngrantResult | null }> {
    if (flags.mapping === undefined && flags.grant === undefined) throw usage(this.op, 'one of --mapping or --grant is required');
    return {
      choice: this.choice(flags),
      step: { over: async (b) => ({
        unmapped: flags.mapping === undefined ? null : await b.gnttab.unmap(flags.mapping),
        ungranted: flags.grant === undefined ? null : await b.gnttab.ungrant(flags.grant),
      }) },
      human: (res) => record({ unmapped: res.unmapped?.count ?? null, ungranted: res.ungranted?.refs.length ?? null }),
    };
  }
}
