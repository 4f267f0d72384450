/**
 * Everything the agent does, as one table of operations: the CLI's native backend sends an
 * operation name and its arguments, the agent runs it on the devices it holds open.
 */
import { readFileSync } from 'node:fs';
import { asXgtError, refused, XgtError } from '../../errors.js';
import type { DomainInfo, DomainUsage, HostInfo } from '../../backend/types.js';
import { loadAddon, sys } from '../addon.js';
import { HYPERVISOR, XENVER_extraversion, XENVER_version } from '../xen-abi.js';
import { NATIVE_CAPS, NATIVE_LIMITS } from '../caps.js';
import { AgentBuild } from './build.js';
import { type Devices, openDevices, readLimit } from './devices.js';
import { NativeDmop } from './dmop.js';
import { NativeEvtchn } from './evtchn.js';
import { NativeGnttab } from './gnttab.js';
import { HostView } from './inspect.js';
import { readNames } from './xenstore.js';

/** Our own domain id: 0 in the control domain; elsewhere what the kernel says. */
export function ownDomid(): number {
  try {
    if (readFileSync('/proc/xen/capabilities', 'utf8').includes('control_d')) return 0;
  } catch { /* not mounted */ }
  try {
    return Number(readFileSync('/sys/hypervisor/properties/domid', 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

export type Op = (...args: any[]) => unknown;

/** A failure as the agent reports it: ours as it is, anything else an internal error of the agent's (EIO). */
export const agentFailure = (e: unknown) => asXgtError(e, 'agent');

export class NativeHost {
  readonly domid = ownDomid();
  readonly build = new AgentBuild();
  readonly devices: Devices;
  readonly gnttab: NativeGnttab;
  readonly evtchn: NativeEvtchn;
  readonly dmop: NativeDmop;
  readonly view: HostView;
  readonly ops: Record<string, Op>;

  constructor() {
    this.devices = openDevices(loadAddon());
    this.view = new HostView(this.devices, this.domid);
    this.gnttab = new NativeGnttab(this.devices, this.domid, this.view);
    this.evtchn = new NativeEvtchn(this.devices, this.domid);
    this.dmop = new NativeDmop(this.devices, this.domid);
    const g = this.gnttab;
    const e = this.evtchn;
    const m = this.dmop;
    this.ops = {
      'info': () => this.info(),
      'gnttab.grant': (to, pages, ro) => g.grant(to, pages, ro),
      'gnttab.ungrant': (index) => g.ungrant(index),
      'gnttab.map': (domid, refs, ro) => g.map(domid, refs, ro),
      'gnttab.unmap': (index) => g.unmap(index),
      'gnttab.list': (domid) => g.list(domid ?? undefined),
      'gnttab.read': (target, offset, length) => g.read(target, offset, length ?? undefined).toString('base64'),
      'gnttab.write': (target, offset, b64) => g.write(target, offset, Buffer.from(b64, 'base64')),
      'gnttab.limits': (set) => g.limits(set),
      'gnttab.copyFrom': (domid, ref, offset, length) => g.copyFrom(domid, ref, offset, length ?? undefined).toString('base64'),
      'gnttab.copyTo': (domid, ref, offset, b64) => g.copyTo(domid, ref, offset, Buffer.from(b64, 'base64')),
      'domains.list': () => this.domains(),
      'domains.usage': () => this.usage(),
      'evtchn.bindUnbound': (remote) => e.bindUnbound(remote),
      'evtchn.bindInterdomain': (remote, port) => e.bindInterdomain(remote, port),
      'evtchn.bindVirq': (virq) => e.bindVirq(virq),
      'evtchn.notify': (port) => e.notify(port),
      'evtchn.unbind': (port) => e.unbind(port),
      'evtchn.wait': (ports, timeout, gone) => e.wait(ports, timeout ?? undefined, gone),
      'evtchn.list': (domid) => e.list(domid ?? undefined),
      'dmop.createIoreqServer': (domid, mode) => m.createIoreqServer(domid, mode),
      'dmop.destroyIoreqServer': (domid, id) => m.destroyIoreqServer(domid, id),
      'dmop.mapMemType': (domid, id, type, flags) => m.mapMemType(domid, id, type, flags),
      'dmop.setMemType': (domid, type, first, count) => m.setMemType(domid, type, first, count),
      'dmop.list': (domid) => m.list(domid),
      'agent.status': () => ({
        pid: process.pid, domid: this.domid, uptime_s: Math.round(process.uptime()), build: this.build.id, stale: this.build.stale,
      }),
    };
  }

  /**
   * A request's operation, always as a promise: a result and a refusal then take the same turns
   * of the event loop, so the replies to a connection's synchronous requests leave in the order
   * the requests came (a refusal thrown at once would overtake the result before it).
   */
  async call(op: string, args: unknown[], gone?: AbortSignal): Promise<unknown> {
    return this.run(op, args, gone);
  }

  /**
   * Runs an operation; a failure that is not a refusal is reported as the agent's own (EIO).
   * `gone` aborts when the caller's connection closes: a wait, the one call that blocks, ends then.
   * Most operations are synchronous ioctls, and their result is returned as it is (a promise only
   * from the few that wait) — a list of calls makes thousands, each otherwise a turn of the event loop.
   */
  run(op: string, args: unknown[], gone?: AbortSignal): unknown {
    // only the table's own operations: not what every object inherits (toString, constructor…)
    const fn = Object.hasOwn(this.ops, op) ? this.ops[op] : undefined;
    if (!fn) throw refused('ENOSYS', op, `the agent has no operation ${op}`);
    let result: unknown;
    try {
      // the caller's going reaches the one call that blocks; no client can pass it
      result = op === 'evtchn.wait' ? fn(args[0], args[1], gone) : fn(...args);
    } catch (e) {
      throw agentFailure(e);
    }
    return result instanceof Promise ? result.catch((e: unknown) => { throw agentFailure(e); }) : result;
  }

  info(): HostInfo {
    const a = this.devices.a;
    const v = sys('info', () => a.hypercall(this.devices.privcmd, HYPERVISOR.xen_version, XENVER_version, null, 0));
    const extra = Buffer.alloc(16);
    sys('info', () => a.hypercall(this.devices.privcmd, HYPERVISOR.xen_version, XENVER_extraversion, extra, 0));
    const text = extra.subarray(0, extra.indexOf(0) < 0 ? 16 : extra.indexOf(0)).toString('latin1');
    return {
      backend: 'native', xen_version: `${v >> 16}.${v & 0xffff}${text}`, domid: this.domid, state: null,
      features: { ...NATIVE_CAPS },
      limits: { ...NATIVE_LIMITS, gntalloc_limit: readLimit('gntalloc'), gntdev_map_limit: readLimit('gntdev') },
    };
  }

  /** Every domain Xen has, named from XenStore where a xenstored runs. */
  async domains(): Promise<DomainInfo[]> {
    const raws = this.view.rawDomains();
    const names = await readNames(raws.map((r) => r.domid));
    return raws.map((r) => this.view.domain(r, names.get(r.domid)));
  }

  /**
   * `xgt top`'s rows from Xen: each domain's table size, its entries and how many are in use,
   * the refs of others it has in use (from their tables), and its open channels.
   */
  async usage(): Promise<DomainUsage[]> {
    const op = 'top';
    const domains = await this.domains();
    const tables = new Map(domains.map((d) => {
      const size = this.view.tableSize(d.domid, op);
      return [d.domid, { size, entries: this.view.table(d.domid, size.nr_frames, op) }];
    }));
    const maps = new Map<number, number>();
    for (const [granter, t] of tables) {
      for (const e of t.entries ?? []) if (e.in_use !== '-' && e.to !== granter) maps.set(e.to, (maps.get(e.to) ?? 0) + 1);
    }
    return domains.map((d) => {
      const t = tables.get(d.domid)!;
      const ports = this.evtchn.list(d.domid).ports;
      return {
        domid: d.domid, name: d.name, type: d.type,
        grant_frames: t.size.nr_frames, max_grant_frames: t.size.max_nr_frames,
        grants: t.entries ? t.entries.length : null,
        grants_mapped: t.entries ? t.entries.filter((e) => e.in_use !== '-').length : null,
        maps: maps.get(d.domid) ?? 0,
        ports: ports.length,
        max_port: ports.length ? ports[ports.length - 1].port : null,
      };
    });
  }

  /** Releases everything the agent holds, then the devices. */
  shutdown(): void {
    for (const part of [this.dmop, this.evtchn, this.gnttab]) {
      try { part.releaseAll(); } catch (err) { if (!(err instanceof XgtError)) throw err; }
    }
    this.devices.close();
  }
}
