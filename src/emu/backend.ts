/**
 * The emulated host behind the Backend interface. Each call is one transaction on the state
 * file, so concurrent processes serialise and a refused call leaves it as it was (but where Xen
 * itself keeps the part done before a failure: set_mem_type and the memory exchange).
 */
import { usage } from '../errors.js';
import type { Backend, Capabilities, Dmop, Domains, Evtchn, Gnttab, HostInfo, Memory } from '../backend/types.js';
import { liveDomain } from './domain-rows.js';
import { EmuDmop } from './emu-dmop.js';
import { EmuDomains } from './emu-domains.js';
import { EmuEvtchn } from './emu-evtchn.js';
import { EmuGnttab } from './emu-gnttab.js';
import { EmuMemory } from './emu-mem.js';
import { XEN_VERSION } from './host-layout.js';
import { STOCK_LIMITS } from '../xen.js';
import { StateStore } from './store.js';
import { anyFault, CALL_OPS, faultFor } from './faults.js';


export const EMU_CAPS: Capabilities = {
  map_multiple: true,
  grant_copy: true,
  dma_buf: true,
  domain_control: true,
  act_as_any_domain: true,
};

export const EMU_LIMITS = STOCK_LIMITS;

export class EmuBackend implements Backend {
  readonly name = 'emu' as const;
  readonly caps = EMU_CAPS;
  readonly domains: Domains;
  readonly gnttab: Gnttab;
  readonly evtchn: Evtchn;
  readonly dmop: Dmop;
  readonly mem: Memory;

  private constructor(readonly st: StateStore, readonly domid: number, private readonly ownsStore = true) {
    this.domains = this.faultable('domains', new EmuDomains(st, domid));
    this.gnttab = this.faultable('gnttab', new EmuGnttab(st, domid));
    this.evtchn = this.faultable('evtchn', new EmuEvtchn(st, domid));
    this.dmop = this.faultable('dmop', new EmuDmop(st, domid));
    this.mem = this.faultable('mem', new EmuMemory(st, domid));
  }

  /** Opens the state file and checks that the acting domain exists (a usage error if not). */
  static open(statePath: string, as: number): EmuBackend {
    const st = StateStore.open(statePath);
    try {
      return EmuBackend.actingAs(as, st, true);
    } catch (e) {
      st.close();
      throw e;
    }
  }

  /**
   * A backend acting as `as` on a state file already open: the lines of a batch that act as
   * different domains share one connection, so that changing domains commits nothing.
   * The store stays open when this backend closes unless it owns it.
   */
  static actingAs(as: number, st: StateStore, ownsStore = false): EmuBackend {
    if (!st.read(() => liveDomain(st, as))) throw usage('as', `--as ${as}: no such domain on the emulated host`);
    return new EmuBackend(st, as, ownsStore);
  }

  /**
   * `part`'s calls, each first refused by an injected fault that matches it (faults.ts): an object
   * whose call methods check, made once per backend, and through which the rest of `target` reads.
   */
  private faultable<T extends object>(part: string, target: T): T {
    const checked = Object.create(target) as Record<string, unknown>;
    for (const [name, op] of Object.entries(CALL_OPS)) {
      if (!name.startsWith(`${part}.`)) continue;
      const method = (target as Record<string, (...args: unknown[]) => Promise<unknown>>)[name.slice(part.length + 1)];
      // (not async: the method's own promise is handed on, not awaited into another)
      checked[name.slice(part.length + 1)] = (...args: unknown[]) => {
        try {
          this.refuseIfFaulted(op);
        } catch (e) {
          return Promise.reject(e);
        }
        return method.apply(target, args);
      };
    }
    return checked as T;
  }

  private refuseIfFaulted(op: string): void {
    if (!anyFault(this.st)) return;
    const e = this.st.tx(() => faultFor(this.st, op, this.domid));
    if (e) throw e;
  }

  async info(): Promise<HostInfo> {
    this.refuseIfFaulted('info');
    return {
      backend: 'emu', xen_version: XEN_VERSION, domid: this.domid, state: this.st.path,
      features: { ...this.caps }, limits: { ...EMU_LIMITS },
    };
  }

  close(): void {
    if (!this.ownsStore) return;
    this.st.flushGroup();
    this.st.close();
  }
}
