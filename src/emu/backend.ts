/**
 * The emulated host behind the Backend interface. Each call is one transaction on the state
 * file, so a refused call leaves it exactly as it was and concurrent processes serialise.
 */
import { refused, usage } from '../errors.js';
import type {
  Backend, Capabilities, DomainCreateOptions, Domains, Evtchn, Gnttab, GrantResult, HostInfo, PageTarget,
} from '../backend/types.js';
import * as ev from './evtchn.js';
import { ChangeWatcher } from './wakeup.js';
import { liveDomain } from './domain-rows.js';
import { createDomain, destroyDomain, listDomains, reapIfIdle } from './domains.js';
import { allocGrefs, deallocRun, framesFromRef, gntallocInUse, listGranted, requireLive } from './gntalloc.js';
import { inUse } from './grant-table.js';
import { listMaps, mapAt, mapGrants, mapPages, maptrackInUse, unmapIndex } from './gntdev.js';
import { PAGE_SIZE, XEN_VERSION } from './host-layout.js';
import {
  DEFAULT_MAX_GRANT_FRAMES, GNTALLOC_LIMIT, GNTDEV_MAP_LIMIT, GRANT_ENTRIES_PER_FRAME, MAPTRACK_ENTRIES,
} from './limits.js';
import { readFrames, writeFrames } from './machine.js';
import { StateStore } from './store.js';

export const EMU_CAPS: Capabilities = {
  map_multiple: true,
  grant_copy: true,
  dma_buf: true,
  domain_control: true,
  act_as_any_domain: true,
};

export const EMU_LIMITS = {
  gntalloc_limit: GNTALLOC_LIMIT,
  gntdev_map_limit: GNTDEV_MAP_LIMIT,
  default_max_grant_frames: DEFAULT_MAX_GRANT_FRAMES,
  grant_entries_per_frame: GRANT_ENTRIES_PER_FRAME,
  maptrack_entries: MAPTRACK_ENTRIES,
};

export class EmuBackend implements Backend {
  readonly name = 'emu' as const;
  readonly caps = EMU_CAPS;
  readonly domains: Domains;
  readonly gnttab: Gnttab;
  readonly evtchn: Evtchn;

  private constructor(readonly st: StateStore, readonly domid: number) {
    this.domains = new EmuDomains(st);
    this.gnttab = new EmuGnttab(st, domid);
    this.evtchn = new EmuEvtchn(st, domid);
  }

  /** Opens the state file and checks that the acting domain exists (a usage error if not). */
  static open(statePath: string, as: number): EmuBackend {
    const st = StateStore.open(statePath);
    if (!st.read(() => liveDomain(st, as))) {
      st.close();
      throw usage('as', `--as ${as}: no such domain on the emulated host`);
    }
    return new EmuBackend(st, as);
  }

  async info(): Promise<HostInfo> {
    return {
      backend: 'emu', xen_version: XEN_VERSION, domid: this.domid, state: this.st.path,
      features: { ...this.caps }, limits: { ...EMU_LIMITS },
    };
  }

  close(): void {
    this.st.close();
  }
}

class EmuDomains implements Domains {
  constructor(private readonly st: StateStore) {}

  async create(o: DomainCreateOptions) {
    return this.st.tx(() => createDomain(this.st, o));
  }

  async list() {
    return this.st.read(() => listDomains(this.st));
  }

  async destroy(domid: number) {
    return this.st.tx(() => destroyDomain(this.st, domid, (d) => ev.closeAllPorts(this.st, d)));
  }
}

class EmuGnttab implements Gnttab {
  constructor(private readonly st: StateStore, private readonly domid: number) {}

  async grant(to: number, pages: number, readonly: boolean): Promise<GrantResult> {
    let failure: unknown;
    const res = this.st.tx(() => {
      const d = requireLive(this.st, this.domid, 'gnttab.grant');
      return allocGrefs(this.st, d, to, pages, Boolean(readonly), (fn) => {
        try {
          return this.st.db.transaction(fn)();
        } catch (e) {
          failure = e; // the index advance commits, the allocation does not
          return undefined as unknown as GrantResult;
        }
      });
    });
    if (failure) throw failure;
    return res;
  }

  async ungrant(index: number) {
    return this.st.tx(() => deallocRun(this.st, this.domid, index));
  }

  async map(domid: number, refs: number[], readonly: boolean) {
    return this.st.tx(() => mapGrants(this.st, this.domid, domid, refs, Boolean(readonly)));
  }

  async unmap(index: number) {
    return this.st.tx(() => unmapIndex(this.st, this.domid, index, (g) => reapIfIdle(this.st, g)));
  }

  async list(domid = this.domid) {
    return this.st.read(() => {
      const d = this.st.get<{ nr_grant_frames: number; max_grant_frames: number }>(
        'SELECT nr_grant_frames, max_grant_frames FROM domains WHERE domid = ?', domid);
      if (!d) throw refused('ESRCH', 'gnttab.list', `no domain ${domid}`);
      return {
        granted: listGranted(this.st, domid).map((r) => ({
          index: r.run_page * PAGE_SIZE, ref: r.ref, to: r.to_domid, readonly: r.readonly === 1, in_use: inUse(r),
        })),
        mapped: listMaps(this.st, domid),
        usage: {
          domid,
          nr_frames: d.nr_grant_frames,
          max_nr_frames: d.max_grant_frames,
          maptrack_used: maptrackInUse(this.st, domid),
          maptrack_max: MAPTRACK_ENTRIES,
          gntalloc_used: gntallocInUse(this.st, domid),
          gntalloc_limit: GNTALLOC_LIMIT,
        },
      };
    });
  }

  async read(target: PageTarget, offset: number, length?: number) {
    return this.st.read(() => {
      const { mfns } = this.resolve(target, 'gnttab.read', false);
      const len = length ?? mfns.length * PAGE_SIZE - offset;
      checkRange(mfns.length, offset, len, 'gnttab.read');
      return readFrames(this.st, mfns, offset, len);
    });
  }

  async write(target: PageTarget, offset: number, data: Uint8Array) {
    return this.st.tx(() => {
      const { mfns } = this.resolve(target, 'gnttab.write', true);
      checkRange(mfns.length, offset, data.length, 'gnttab.write');
      writeFrames(this.st, mfns, offset, data);
      return data.length;
    });
  }

  private resolve(target: PageTarget, op: string, forWrite: boolean): { mfns: number[] } {
    if ('ref' in target) return { mfns: framesFromRef(this.st, this.domid, target.ref, op) };
    const m = mapAt(this.st, this.domid, target.index);
    if (!m) throw refused('ENOENT', op, `domain ${this.domid} has no mapping at index ${target.index}`);
    if (forWrite && m.readonly) {
      throw refused('EACCES', op, `the mapping at index ${target.index} is read-only`);
    }
    return { mfns: mapPages(this.st, this.domid, m.page).map((p) => p.mfn) };
  }
}

function checkRange(pages: number, offset: number, length: number, op: string): void {
  const size = pages * PAGE_SIZE;
  if (offset > size || offset + length > size || length < 0) {
    throw refused('EINVAL', op, `offset ${offset} + length ${length} runs past the end (${size} bytes)`);
  }
}

class EmuEvtchn implements Evtchn {
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
        await watcher.next(left);
      }
    } finally {
      watcher?.close();
    }
  }

  async list(domid = this.domid) {
    return this.st.read(() => ({ ports: ev.listPorts(this.st, domid) }));
  }
}
