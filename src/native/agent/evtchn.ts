/**
 * Event channels on /dev/xen/evtchn. The device delivers a port once and masks it until it is
 * written back; the agent keeps what it read but no caller has taken yet, so `wait PORT` can
 * leave other ports for later waits, as the emulator does.
 */
import { refused } from '../../errors.js';
import type { BindResult, PortInfo } from '../../backend/types.js';
import { asRefusal, sys } from '../addon.js';
import { EVTCHN_STATUS, EVTCHNOP_status, EVTCHNSTAT, HYPERVISOR } from '../xen-abi.js';
import type { Devices } from './devices.js';

export class NativeEvtchn {
  private readonly bound = new Set<number>();
  /** delivered by the device, not yet taken by a wait (still masked) */
  private readonly delivered: number[] = [];

  constructor(private readonly d: Devices, private readonly domid: number) {}

  bindUnbound(remote: number): BindResult {
    const port = sys('evtchn.bind', () => this.d.a.evtchnBindUnbound(this.d.evtchn, remote));
    this.bound.add(port);
    return { port, state: 'unbound', remote_domid: remote };
  }

  bindInterdomain(remote: number, remotePort: number): BindResult {
    const port = sys('evtchn.bind', () => this.d.a.evtchnBindInterdomain(this.d.evtchn, remote, remotePort));
    this.bound.add(port);
    return { port, state: 'interdomain', remote_domid: remote, remote_port: remotePort };
  }

  bindVirq(virq: number): BindResult {
    const port = sys('evtchn.bind', () => this.d.a.evtchnBindVirq(this.d.evtchn, virq));
    this.bound.add(port);
    return { port, state: 'virq', virq };
  }

  notify(port: number) {
    sys('evtchn.notify', () => this.d.a.evtchnNotify(this.d.evtchn, port));
    return { port };
  }

  /**
   * The device keeps what it queued for a port after the port is unbound, and would hand it to
   * the next channel given that number — an event that channel never had. Reading the queue
   * once the port is gone (nothing new can come for it) and dropping its events keeps `wait`
   * to events of the channel it names, as on the emulator.
   */
  unbind(port: number) {
    sys('evtchn.unbind', () => this.d.a.evtchnUnbind(this.d.evtchn, port));
    this.bound.delete(port);
    this.drain();
    this.drop(port);
    return { port };
  }

  private drop(port: number): void {
    for (let i = this.delivered.indexOf(port); i >= 0; i = this.delivered.indexOf(port)) this.delivered.splice(i, 1);
  }

  private drain(): void {
    for (const p of this.d.a.evtchnRead(this.d.evtchn)) if (!this.delivered.includes(p)) this.delivered.push(p);
  }

  /**
   * `gone` aborts when the caller has gone (its connection closed): the wait ends then without
   * taking anything, so an event it would have taken stays for the next wait.
   */
  async wait(ports: number[], timeoutMs: number | undefined, gone?: AbortSignal): Promise<{ ports: number[] }> {
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      if (gone?.aborted) throw refused('ECANCELED', 'evtchn.wait', 'the waiting command has gone');
      this.drain();
      const take = this.delivered.filter((p) => ports.length === 0 || ports.includes(p));
      if (take.length) {
        for (const p of take) this.drop(p);
        this.d.a.evtchnUnmask(this.d.evtchn, take);
        return { ports: take };
      }
      const left = deadline - Date.now();
      if (left <= 0) throw refused('ETIMEDOUT', 'evtchn.wait', `no event within ${timeoutMs} ms`);
      await this.d.a.pollReadable(this.d.evtchn, Math.min(left, 1000));
    }
  }

  /** lsevtchn: EVTCHNOP_status of every port until the hypervisor says there are no more. */
  list(domid = this.domid): { ports: PortInfo[] } {
    this.drain();
    const ports: PortInfo[] = [];
    for (let port = 1; ; port++) {
      const buf = Buffer.alloc(EVTCHN_STATUS.size);
      buf.writeUInt16LE(domid, EVTCHN_STATUS.dom);
      buf.writeUInt32LE(port, EVTCHN_STATUS.port);
      try {
        this.d.a.hypercall(this.d.privcmd, HYPERVISOR.event_channel_op, EVTCHNOP_status, buf, 0);
      } catch (e) {
        const errno = (e as { errno?: number }).errno;
        if (errno === 22) break; // past the domain's ports
        throw asRefusal(e, 'evtchn.list');
      }
      const state = EVTCHNSTAT[buf.readUInt32LE(EVTCHN_STATUS.status)] ?? 'closed';
      if (state === 'closed') continue;
      const here = domid === this.domid && this.bound.has(port);
      const waiting = here && this.delivered.includes(port);
      ports.push({
        port,
        state,
        remote_domid: state === 'unbound' ? buf.readUInt16LE(EVTCHN_STATUS.unbound_dom)
          : state === 'interdomain' ? buf.readUInt16LE(EVTCHN_STATUS.interdomain_dom) : null,
        remote_port: state === 'interdomain' ? buf.readUInt32LE(EVTCHN_STATUS.interdomain_port) : null,
        virq: state === 'virq' ? buf.readUInt32LE(EVTCHN_STATUS.virq) : null,
        pending: waiting,
        masked: waiting,
        bound_here: here,
      });
    }
    return { ports };
  }

  releaseAll(): void {
    for (const port of this.bound) {
      try { this.d.a.evtchnUnbind(this.d.evtchn, port); } catch { /* already gone */ }
    }
  }
}
