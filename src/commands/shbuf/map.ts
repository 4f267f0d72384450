import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag, uintFlag } from '../../cli/flags.js';
import { U32_MAX } from '../../cli/numbers.js';
import { shbufMap } from '../../shbuf/shbuf.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class ShbufMap extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"index", "refs": [...], "pages"}';
  static summary = "Walk a buffer's directory and map every data page as one mapping";
  static description = "Frontend-allocated: DOMID's directory and pages. --be-alloc: our own directory, filled with DOMID's refs.";
  static examples = ['<%= config.bin %> shbuf map --domid 1 --dir-ref 8 --pages 5000'];
  static flags = {
    domid: requiredDomidFlag('the domain whose data pages are mapped'),
    'dir-ref': uintFlag('dir-ref', 'the first directory page', U32_MAX)({ required: true }),
    pages: uintFlag('pages', 'data pages', U32_MAX, 1)({ required: true }),
    'be-alloc': Flags.boolean({ summary: 'the directory is ours, filled by DOMID', default: false }),
  };

  plan({ flags }: Parsed<typeof ShbufMap>): Plan<{ refs: number[] }> {
    return {
      choice: this.choice(flags),
      step: { over: (b) => shbufMap(b, flags.domid, flags['dir-ref'], flags.pages, flags['be-alloc']) },
    };
  }
}
