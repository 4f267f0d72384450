import { XgtCommand } from '../../cli/base.js';
import { optionalDomidFlag, uintFlag } from '../../cli/flags.js';
import { U32_MAX } from '../../cli/numbers.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class MemPutDmaBuf extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"unpinned"}';
  static summary = 'Unpin extents pinned by get-dma-buf (the XENMEM_put_dma_buf proposal); the pages stay the guest\'s';
  static examples = ['<%= config.bin %> mem put-dma-buf --gpfn 0 --extents 4 --order 2'];
  static flags = {
    domid: optionalDomidFlag('whose memory (default: the acting domain)'),
    gpfn: uintFlag('gpfn', 'the first pinned extent')({ required: true }),
    extents: uintFlag('extents', 'how many extents', U32_MAX, 1)({ default: 1 }),
    order: uintFlag('order', 'pages per extent, as a power of two', 63)({ default: 0 }),
  };

  plan({ flags }: Parsed<typeof MemPutDmaBuf>): Plan {
    return { choice: this.choice(flags), step: call('mem.putDmaBuf', flags.domid, flags.gpfn, flags.extents, flags.order) };
  }
}
