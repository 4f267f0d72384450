import { XgtCommand } from '../../cli/base.js';
import { optionalDomidFlag, uintFlag } from '../../cli/flags.js';
import { U32_MAX } from '../../cli/numbers.js';
import { hex, record } from '../../cli/output.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';
import type { DmaExtent } from '../../backend/types.js';

export default class MemGetDmaBuf extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"nr_exchanged", "extents": [{"gpfn", "mfn", "order"}], "address_bits"}';
  static summary = 'Exchange pages for machine-contiguous, pinned ones below 2^address-bits (the XENMEM_get_dma_buf proposal)';
  static description = 'Emulator only: no released Xen has this operation (natively ENOSYS). When frames run out part way, '
    + 'the error reports nr_exchanged and the first extents stay exchanged.';
  static examples = ['<%= config.bin %> mem get-dma-buf --extents 4 --order 2 --address-bits 32'];
  static flags = {
    domid: optionalDomidFlag('whose memory (default: the acting domain)'),
    extents: uintFlag('extents', 'how many extents', U32_MAX, 1)({ required: true }),
    order: uintFlag('order', 'pages per extent, as a power of two', 63)({ default: 0 }),
    'address-bits': uintFlag('address-bits', 'the new frames lie below 2^B (0: anywhere)', 64)({ default: 32 }),
    gpfn: uintFlag('gpfn', 'the first guest frame to exchange (default: the lowest free aligned run)')(),
  };

  plan({ flags }: Parsed<typeof MemGetDmaBuf>): Plan<{ nr_exchanged: number; address_bits: number; extents: DmaExtent[] }> {
    return {
      choice: this.choice(flags),
      step: call('mem.getDmaBuf', flags.domid, flags.extents, flags.order, flags['address-bits'], flags.gpfn),
      human: (res) => record({ nr_exchanged: res.nr_exchanged, address_bits: res.address_bits,
        extents: res.extents.map((e) => `${hex(e.gpfn)}->${hex(e.mfn)}/order ${e.order}`) }),
    };
  }
}
