/**
 * The native backend: the real /dev/xen devices, through the agent that keeps their file
 * descriptors open. Loaded lazily, so every other command works on machines without the
 * addon; "cannot be used here" becomes one clear exit-3 line.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { asXgtError, refused, unavailable, usage, XgtError } from '../errors.js';
import type {
  Backend, BindResult, BufioreqMode, Dmop, DmopListing, DomainInfo, Domains, DomainUsage, Evtchn, Gnttab, GnttabListing, GrantResult, HostInfo,
  MapResult, Memory, NamedCall, Outcome, PageTarget, PortInfo, UngrantResult, UnmapResult,
} from '../backend/types.js';
import { ADDON_PATH, addonBuilt } from './addon.js';
import { NATIVE_CAPS } from './caps.js';
import { AgentClient, outcomesFromWire } from './client.js';
import { XEN_DEVICE_DIR } from './paths.js';
import { ownDomid } from './agent/host.js';

export { XEN_DEVICE_DIR };
export const DEVICES = ['privcmd', 'gntdev', 'gntalloc', 'evtchn'] as const;

/** Why the native backend cannot be used here, or null when it can be tried. */
export function nativeUnavailableReason(): string | null {
  for (const dev of DEVICES) {
    const path = `${XEN_DEVICE_DIR}/${dev}`;
    if (!existsSync(path)) return `${path} does not exist: this is not a Xen host (or its drivers are not loaded)`;
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch {
      return `permission denied on ${path} (run as root, or get access to the Xen devices)`;
    }
  }
  if (!addonBuilt()) return `the native addon is not built (${ADDON_PATH} is missing; run npm run build:native)`;
  return null;
}

export async function openNative(as: number | undefined): Promise<Backend> {
  const why = nativeUnavailableReason();
  if (why) throw unavailable('native', `native backend unavailable: ${why}`);
  const domid = ownDomid();
  if (as !== undefined && as !== domid) throw usage('as', `--as ${as}: natively you can only act as your own domain (${domid})`);
  return new NativeBackend(await AgentClient.open(), domid);
}

/** The agent's operations: over its socket (AgentClient), or in the agent itself (its batch). */
export interface AgentLink {
  call<T>(op: string, ...args: unknown[]): Promise<T>;
  close(): void;
}

/** What the agent itself does (its operations table, agent/host.ts), by the interface's names. */
const AGENT_OPS = new Set(['info', 'domains.list', 'domains.usage', 'gnttab.copyFrom', 'gnttab.copyTo', 'gnttab.grant', 'gnttab.ungrant', 'gnttab.map', 'gnttab.unmap', 'gnttab.list', 'gnttab.read',
  'gnttab.write', 'gnttab.limits', 'evtchn.bindUnbound', 'evtchn.bindInterdomain', 'evtchn.bindVirq', 'evtchn.notify',
  'evtchn.unbind', 'evtchn.wait', 'evtchn.list', 'dmop.createIoreqServer', 'dmop.destroyIoreqServer', 'dmop.mapMemType',
  'dmop.setMemType', 'dmop.list']);

/** Bytes cross the socket in base64. */
function toWire(op: string, args: readonly unknown[]): unknown[] {
  if (op === 'gnttab.write') return [args[0], args[1], Buffer.from(args[2] as Uint8Array).toString('base64')];
  if (op === 'gnttab.copyTo') return [args[0], args[1], args[2], Buffer.from(args[3] as Uint8Array).toString('base64')];
  return [...args];
}

function fromWire(op: string, result: unknown): unknown {
  return op === 'gnttab.read' || op === 'gnttab.copyFrom' ? Buffer.from(result as string, 'base64') : result;
}

const emuOnly = (op: string, hint: string) => refused('EOPNOTSUPP', op, `${op.replace('.', ' ')} works on the emulator only; ${hint}`);

export class NativeBackend implements Backend {
  readonly name = 'native' as const;
  readonly caps = NATIVE_CAPS;
  readonly domains: Domains;
  readonly gnttab: Gnttab;
  readonly evtchn: Evtchn;
  readonly dmop: Dmop;
  readonly mem: Memory;

  constructor(private readonly agent: AgentLink, readonly domid: number) {
    const call = <T>(op: string, ...args: unknown[]) => agent.call<T>(op, ...args);
    this.domains = {
      create: async () => { throw emuOnly('domain.create', 'on a Xen host use xl create'); },
      list: () => call<DomainInfo[]>('domains.list'),
      usage: () => call<DomainUsage[]>('domains.usage'),
      destroy: async () => { throw emuOnly('domain.destroy', 'on a Xen host use xl destroy'); },
    };
    this.gnttab = {
      grant: (to, pages, ro) => call<GrantResult>('gnttab.grant', to, pages, ro),
      ungrant: (index) => call<UngrantResult>('gnttab.ungrant', index),
      map: (domid, refs, ro) => call<MapResult>('gnttab.map', domid, refs, ro),
      unmap: (index) => call<UnmapResult>('gnttab.unmap', index),
      list: (domid) => call<GnttabListing>('gnttab.list', domid),
      read: async (target: PageTarget, offset, length) => fromWire('gnttab.read', await call('gnttab.read', target, offset, length)) as Buffer,
      write: (...a) => call<number>('gnttab.write', ...toWire('gnttab.write', a)),
      limits: (set) => call('gnttab.limits', set),
      copyFrom: async (domid, ref, offset, length) =>
        fromWire('gnttab.copyFrom', await call('gnttab.copyFrom', domid, ref, offset, length)) as Buffer,
      copyTo: (...a) => call<number>('gnttab.copyTo', ...toWire('gnttab.copyTo', a)),
    };
    this.evtchn = {
      bindUnbound: (remote) => call<BindResult>('evtchn.bindUnbound', remote),
      bindInterdomain: (remote, port) => call<BindResult>('evtchn.bindInterdomain', remote, port),
      bindVirq: (virq) => call<BindResult>('evtchn.bindVirq', virq),
      notify: (port) => call('evtchn.notify', port),
      unbind: (port) => call('evtchn.unbind', port),
      wait: (ports, timeout) => call('evtchn.wait', ports, timeout),
      list: (domid) => call<{ ports: PortInfo[] }>('evtchn.list', domid),
    };
    this.dmop = {
      createIoreqServer: (domid, mode: BufioreqMode) => call('dmop.createIoreqServer', domid, mode),
      destroyIoreqServer: (domid, id) => call('dmop.destroyIoreqServer', domid, id),
      mapMemType: (domid, id, type, flags) => call('dmop.mapMemType', domid, id, type, flags),
      setMemType: (domid, type, first, count) => call('dmop.setMemType', domid, type, first, count),
      list: (domid) => call<DmopListing>('dmop.list', domid),
    };
    const noDmaBuf = async () => {
      throw refused('ENOSYS', 'mem', 'no released Xen implements XENMEM_get_dma_buf/put_dma_buf, and memory_op 26/27 '
        + 'are other operations now (get_vnumainfo, reserved_device_memory_map): xgt never issues them. Use --backend emu.');
    };
    this.mem = { getDmaBuf: noDmaBuf, putDmaBuf: noDmaBuf, list: noDmaBuf };
  }

  info(): Promise<HostInfo> {
    return this.agent.call<HostInfo>('info');
  }

  /**
   * The agent's own operations go to it as one list (`calls.run`: one request, and a run of grant
   * maps and unmaps by one device call); the few made here (domain list, the memory calls) are
   * made in turn between those lists.
   */
  /** whether the agent takes lists of calls (an agent of an earlier xgt does not) */
  private listsTaken = true;

  async runCalls(calls: readonly NamedCall[], keepGoing: boolean): Promise<Outcome[]> {
    const out: Outcome[] = [];
    let at = 0;
    while (at < calls.length) {
      let end = at;
      while (end < calls.length && AGENT_OPS.has(calls[end].op)) end++;
      if (end > at && this.listsTaken) {
        const wire = calls.slice(at, end).map(({ op, args }) => ({ op, args: toWire(op, args).map((a) => a ?? null) }));
        let reply: Parameters<typeof outcomesFromWire>[0];
        try {
          reply = await this.agent.call('calls.run', wire, keepGoing);
        } catch (e) {
          // an agent started by an earlier xgt has no calls.run (it ran nothing): one call at a time then
          if (!(e instanceof XgtError && e.code === 'ENOSYS' && e.op === 'calls.run')) throw e;
          this.listsTaken = false;
          continue;
        }
        const got = outcomesFromWire(reply)
          .map((o, i) => (o.ok ? { ok: true as const, result: fromWire(calls[at + i].op, o.result) } : o));
        out.push(...got);
        if (got.length < end - at || (!keepGoing && got.some((o) => !o.ok))) return out;
        at = end;
        continue;
      }
      const { op, args } = calls[at++];
      try {
        const [group, method] = op.split('.') as [string, string | undefined];
        const self = this as unknown as Record<string, unknown>;
        const target = (method === undefined ? self : self[group]) as Record<string, unknown> | undefined;
        const fn = target?.[method ?? group] as ((...a: unknown[]) => Promise<unknown>) | undefined;
        if (typeof fn !== 'function') throw refused('ENOSYS', op, `the native backend has no operation ${op}`);
        out.push({ ok: true, result: await fn.apply(target, args) });
      } catch (e) {
        out.push({ ok: false, error: asXgtError(e, op) });
        if (!keepGoing) return out;
      }
    }
    return out;
  }

  close(): void {
    this.agent.close();
  }
}
