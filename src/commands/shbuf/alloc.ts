import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag, uintFlag } from '../../cli/flags.js';
import { U32_MAX } from '../../cli/numbers.js';
import { shbufAlloc } from '../../shbuf/shbuf.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class ShbufAlloc extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"dir_ref", "dir_refs": [...], "refs": [...], "pages", "index", "be_alloc"}';
  static summary = 'Share a buffer through a chain of directory pages (xen-front-pgdir-shbuf)';
  static description = 'Frontend-allocated: the directory and every data page are granted. With --be-alloc only the directory is; '
    + 'the other side fills it (shbuf fill). Free it with shbuf free --grant INDEX.';
  static examples = ['<%= config.bin %> shbuf alloc --to 0 --pages 5000', '<%= config.bin %> shbuf alloc --to 0 --pages 16 --be-alloc'];
  static flags = {
    to: requiredDomidFlag('the other end'),
    pages: uintFlag('pages', 'data pages', U32_MAX, 1)({ required: true }),
    'be-alloc': Flags.boolean({ summary: 'the other end allocates the data pages', default: false }),
  };

  plan({ flags }: Parsed<typeof ShbufAlloc>): Plan<{ refs: number[] }> {
    return {
      choice: this.choice(flags),
      step: { over: (b) => shbufAlloc(b, flags.to, flags.pages, flags['be-alloc']) },
    };
  }
}
