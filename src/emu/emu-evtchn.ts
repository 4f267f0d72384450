/** The event-channel calls of the emulated host; `wait` sleeps between transactions, never in one. */
import { refused } from '../errors.js';
import type { Evtchn } from '../backend/types.js';
import * as ev from './evtchn.js';
import { requireLive } from './domain-rows.js';
import { mayInspect } from './privilege.js';
import type { StateStore } from './store.js';
import { ChangeWatcher } from './wakeup.js';

export class EmuEvtchn implements Evtchn {
  constructor(private readonly st: StateStore, private readonly domid: number) {}

  private me() {
    return requireLive(this.st, this.domid, 'evtchn.bind');
  }

  async bindUnbound(remote: number) {
    return this.st.tx(() => ev.bindUnbound(this.st, this.me(), remote));
  }

  async bindInterdomain(remote: number, remotePort: number) {
    return this.st.tx(() => ev.bindInterdomain(this.st, this.me(), remote, remotePort));
  }

  async bindVirq(virq: number) {
    return this.st.tx(() => ev.bindVirq(this.st, this.me(), virq));
  }

  async notify(port: number) {
    return this.st.tx(() => ev.notify(this.st, this.domid, port));
  }

  async unbind(port: number) {
    return this.st.tx(() => ev.unbind(this.st, this.domid, port));
  }

  async wait(ports: number[], timeoutMs: number | undefined) {
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    const watcher = timeoutMs === 0 ? undefined : new ChangeWatcher(this.st.path);
    try {
      for (;;) {
        const got = this.st.tx(() => ev.takeDelivered(this.st, this.domid, ports));
        if (got) return { ports: got };
        const left = deadline - Date.now();
        if (left <= 0 || !watcher) {
          throw refused('ETIMEDOUT', 'evtchn.wait', `no event within ${timeoutMs} ms`);
        }
        this.st.flushGroup(); // never sleep holding the lock, nor with our own effects unpublished
        await watcher.next(left);
      }
    } finally {
      watcher?.close();
    }
  }

  async list(domid = this.domid) {
    return this.st.read(() => {
      mayInspect(this.st, this.domid, domid, 'evtchn.list');
      return { ports: ev.listPorts(this.st, domid, this.domid) };
    });
  }
}
