import { XgtCommand } from '../../cli/base.js';
import { uintFlag } from '../../cli/flags.js';
import { U32_MAX } from '../../cli/numbers.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class GnttabLimit extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"gntalloc_limit", "gntdev_map_limit"}';
  static summary = "Show or set the grant drivers' limits (module parameters xen_gntalloc.limit, xen_gntdev.limit)";
  static description = 'gntalloc.limit caps the grants of the whole kernel (default 1024); gntdev.limit caps the refs of one mapping '
    + '(default 65536). Natively, setting them needs root.';
  static examples = ['<%= config.bin %> gnttab limit', '<%= config.bin %> gnttab limit --gntalloc 8192'];
  static flags = {
    gntalloc: uintFlag('gntalloc', 'grants the kernel may hold at once', U32_MAX, 1)(),
    gntdev: uintFlag('gntdev', 'refs one mapping may take', U32_MAX, 1)(),
  };

  plan({ flags }: Parsed<typeof GnttabLimit>): Plan {
    return { choice: this.choice(flags), step: call('gnttab.limits', { gntalloc: flags.gntalloc, gntdev: flags.gntdev }) };
  }
}
