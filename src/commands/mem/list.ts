import { XgtCommand } from '../../cli/base.js';
import { optionalDomidFlag } from '../../cli/flags.js';
import { hex, table } from '../../cli/output.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';
import type { DmaExtent } from '../../backend/types.js';

export default class MemList extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"extents": [{"gpfn", "mfn", "order"}]}';
  static summary = 'List the extents get-dma-buf pinned';
  static examples = ['<%= config.bin %> mem list --json'];
  static flags = { domid: optionalDomidFlag('whose memory (default: the acting domain)') };

  plan({ flags }: Parsed<typeof MemList>): Plan<{ extents: DmaExtent[] }> {
    return {
      choice: this.choice(flags),
      step: call('mem.list', flags.domid),
      human: (res) => (res.extents.length
        ? table(['Guest frame', 'Machine frame', 'Order'], res.extents.map((e) => [hex(e.gpfn), hex(e.mfn), e.order]), ['right', 'right', 'right'])
        : 'no pinned extents'),
    };
  }
}
