import { XgtCommand } from '../../cli/base.js';
import { optionalDomidFlag } from '../../cli/flags.js';
import { table } from '../../cli/output.js';

export default class MemList extends XgtCommand {
  static summary = 'List the extents get-dma-buf pinned';
  static examples = ['<%= config.bin %> mem list --json'];
  static flags = { domid: optionalDomidFlag('whose memory (default: the acting domain)') };

  async run() {
    const { flags } = await this.parse(MemList);
    const res = await this.withBackend(flags, (b) => b.mem.list(flags.domid ?? b.domid));
    this.human(() => (res.extents.length
      ? table(['Gpfn', 'Mfn', 'Order'], res.extents.map((e) => [e.gpfn, `0x${e.mfn.toString(16)}`, e.order]), ['right', 'right', 'right'])
      : 'no pinned extents'));
    return res;
  }
}
