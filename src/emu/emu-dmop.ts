/** Device-model calls of the emulated host. */
import type { BufioreqMode, Dmop } from '../backend/types.js';
import { createServer, destroyServer, listDm, mapMemType, setMemType } from './dmop.js';
import { mayInspect } from './privilege.js';
import type { StateStore } from './store.js';

export class EmuDmop implements Dmop {
  constructor(private readonly st: StateStore, private readonly domid: number) {}

  async createIoreqServer(domid: number, bufioreq: BufioreqMode) {
    return this.st.tx(() => createServer(this.st, this.domid, domid, bufioreq));
  }

  async destroyIoreqServer(domid: number, id: number) {
    return this.st.tx(() => destroyServer(this.st, this.domid, domid, id));
  }

  async mapMemType(domid: number, id: number, type: number, flags: number) {
    return this.st.tx(() => mapMemType(this.st, this.domid, domid, id, type, flags));
  }

  async setMemType(domid: number, type: number, firstPfn: number, count: number) {
    return this.st.txPartial(() => setMemType(this.st, this.domid, domid, type, firstPfn, count));
  }

  async list(domid: number) {
    return this.st.read(() => {
      mayInspect(this.st, this.domid, domid, 'dmop.list', true);
      return listDm(this.st, domid);
    });
  }
}
