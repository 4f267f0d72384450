/** Domain calls of the emulated host (the emulator is its own toolstack). */
import type { DomainCreateOptions, Domains } from '../backend/types.js';
import { closeAllPorts } from './evtchn.js';
import { createDomain, destroyDomain, listDomains } from './domains.js';
import { domainUsage } from './inspect.js';
import type { StateStore } from './store.js';

export class EmuDomains implements Domains {
  constructor(private readonly st: StateStore, private readonly domid: number) {}

  async create(o: DomainCreateOptions) {
    return this.st.tx(() => createDomain(this.st, o));
  }

  async list() {
    return this.st.read(() => listDomains(this.st));
  }

  async usage() {
    return this.st.read(() => domainUsage(this.st, this.domid));
  }

  async destroy(domid: number) {
    return this.st.tx(() => destroyDomain(this.st, domid, (d) => closeAllPorts(this.st, d)));
  }
}
