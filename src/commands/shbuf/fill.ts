import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag, uintFlag } from '../../cli/flags.js';
import { U32_MAX } from '../../cli/numbers.js';
import { shbufFill } from '../../shbuf/shbuf.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class ShbufFill extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"dir_ref", "refs": [...], "pages", "index"}';
  static summary = "Backend-allocated mode: grant our pages and list their refs in DOMID's directory";
  static examples = ['<%= config.bin %> shbuf fill --domid 1 --dir-ref 8 --pages 16'];
  static flags = {
    domid: requiredDomidFlag('the domain that shared the directory'),
    'dir-ref': uintFlag('dir-ref', 'the first directory page', U32_MAX)({ required: true }),
    pages: uintFlag('pages', 'data pages', U32_MAX, 1)({ required: true }),
  };

  plan({ flags }: Parsed<typeof ShbufFill>): Plan<{ refs: number[] }> {
    return {
      choice: this.choice(flags),
      step: { over: (b) => shbufFill(b, flags.domid, flags['dir-ref'], flags.pages) },
    };
  }
}
