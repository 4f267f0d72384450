/** Memory calls of the emulated host: the get/put_dma_buf proposal. */
import type { Memory } from '../backend/types.js';
import { getDmaBuf, listPinned, putDmaBuf } from './mem.js';
import { mayInspect } from './privilege.js';
import type { StateStore } from './store.js';

export class EmuMemory implements Memory {
  constructor(private readonly st: StateStore, private readonly domid: number) {}

  async getDmaBuf(domid: number, extents: number, order: number, addressBits: number, gpfn?: number) {
    return this.st.txPartial(() => getDmaBuf(this.st, this.domid, domid, extents, order, addressBits, gpfn));
  }

  async putDmaBuf(domid: number, gpfn: number, extents: number, order: number) {
    return this.st.tx(() => putDmaBuf(this.st, this.domid, domid, gpfn, extents, order));
  }

  async list(domid: number) {
    return this.st.read(() => {
      mayInspect(this.st, this.domid, domid, 'mem.list');
      return listPinned(this.st, domid);
    });
  }
}
