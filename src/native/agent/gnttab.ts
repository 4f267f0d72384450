/**
 * Grant tables on the real devices: gntalloc + mmap to grant (the local mapping is kept so the
 * granted pages can be read and written), gntdev + mmap to map. The kernel answers every map
 * failure at mmap time with EINVAL; a one-byte GRANT_COPY per ref recovers the GNTST code.
 */
import { refused } from '../../errors.js';
import { GNTST_BAD_COPY_ARG, GNTST_GENERAL_ERROR, gntstMessage, MAPTRACK_ENTRIES, OWN_TABLE_NOTE } from '../../xen.js';
import type { GnttabListing, GrantedEntry, GrantResult, MappedEntry, MapResult, PageTarget, UngrantResult, UnmapResult } from '../../backend/types.js';
import { asRefusal, sys } from '../addon.js';
import type { HostView } from './inspect.js';
import { type Devices, readLimit, writeLimit } from './devices.js';

const PAGE = 4096;

interface Run { index: number; refs: number[]; to: number; readonly: boolean; mapId: number }
/** A map or an unmap, as runTogether takes them: the agent's operation name and its arguments. */
export type GrantCall = { op: string; args: readonly unknown[] };
/** What runTogether did: the results of the calls it made, in order, and the refusal that stopped it. */
export interface RunTogether { results: (MapResult | UnmapResult)[]; failure?: unknown }
interface Map_ { index: number; domid: number; refs: number[]; readonly: boolean; mapId: number }

export class NativeGnttab {
  private readonly runs = new Map<number, Run>();
  private readonly maps = new Map<number, Map_>();

  /** `view`: the host's view of Xen, to read other domains' tables through */
  constructor(private readonly d: Devices, private readonly domid: number, private readonly view: HostView) {}

  grant(to: number, pages: number, readonly: boolean): GrantResult {
    const limit = readLimit('gntalloc');
    // the driver would first try to allocate room for all the refs; past the limit it cannot succeed
    if (pages > limit) throw refused('ENOSPC', 'gnttab.grant', `gntalloc limit reached: ${pages} grants asked, the limit is ${limit}`);
    const r = sys('gnttab.grant', () => this.d.a.gntallocAlloc(this.d.gntalloc, to, !readonly, pages));
    let mapId: number;
    try {
      mapId = sys('gnttab.grant', () => this.d.a.mmap(this.d.gntalloc, pages * PAGE, true, r.index));
    } catch (e) {
      this.d.a.gntallocDealloc(this.d.gntalloc, r.index, pages);
      throw e;
    }
    this.runs.set(r.index, { index: r.index, refs: r.refs, to, readonly, mapId });
    return { domid: this.domid, to, index: r.index, refs: r.refs, readonly };
  }

  ungrant(index: number): UngrantResult {
    const run = this.runs.get(index);
    if (!run) throw refused('EINVAL', 'gnttab.ungrant', `no grant run starts at index ${index}`);
    sys('gnttab.ungrant', () => this.d.a.gntallocDealloc(this.d.gntalloc, index, run.refs.length));
    this.d.a.munmap(run.mapId);
    this.runs.delete(index);
    // only our own mappings of our own grants are visible from here
    const mine = new Set([...this.maps.values()].filter((m) => m.domid === this.domid).flatMap((m) => m.refs));
    return { index, refs: run.refs, deferred: run.to === this.domid ? run.refs.filter((r) => mine.has(r)) : [] };
  }

  map(domid: number, refs: number[], readonly: boolean): MapResult {
    const op = 'gnttab.map';
    const index = sys(op, () => this.d.a.gntdevMap(this.d.gntdev, domid, refs));
    let mapId: number;
    try {
      mapId = this.d.a.mmap(this.d.gntdev, refs.length * PAGE, !readonly, index);
    } catch (e) {
      const why = this.whyRefused(domid, refs, readonly);
      this.d.a.gntdevUnmap(this.d.gntdev, index, refs.length);
      if ((e as { errno?: number }).errno !== 22 || !why) throw asRefusal(e, op);
      throw refused('EINVAL', op, `mapping grant ref ${why.ref} of domain ${domid} failed: ${gntstMessage(why.status)}`,
        { gntst: why.status });
    }
    return this.mapped(index, domid, refs, readonly, mapId);
  }

  /** Books a mapping the device made: what map() answers. */
  private mapped(index: number, domid: number, refs: number[], readonly: boolean, mapId: number): MapResult {
    this.maps.set(index, { index, domid, refs, readonly, mapId });
    return { index, domid, refs, count: refs.length, readonly };
  }

  /** Drops a mapping the device undid from the books: what unmap() answers. */
  private unmapped(m: Map_): UnmapResult {
    this.maps.delete(m.index);
    return { index: m.index, domid: m.domid, refs: m.refs, count: m.refs.length };
  }

  /** The first ref a GRANT_COPY refuses, with its status; a read-only grant mapped writable copies fine. */
  private whyRefused(domid: number, refs: number[], readonly: boolean): { ref: number; status: number } | undefined {
    for (const ref of refs) {
      const status = this.d.a.gntdevCopyProbe(this.d.gntdev, domid, ref, false);
      if (status !== 0) return { ref, status };
    }
    return readonly ? undefined : { ref: refs[0], status: GNTST_GENERAL_ERROR };
  }

  unmap(index: number): UnmapResult {
    const m = this.maps.get(index);
    // never pass the kernel an index it did not hand out: it drops the byte offset and would
    // unmap whatever mapping holds that page
    if (!m) throw refused('ENOENT', 'gnttab.unmap', `domain ${this.domid} has no mapping at index ${index}`);
    sys('gnttab.unmap', () => this.d.a.gntdevUnmap(this.d.gntdev, index, m.refs.length));
    this.d.a.munmap(m.mapId);
    return this.unmapped(m);
  }

  /** Whether runTogether can make this call: a map or an unmap whose arguments the device call can carry. */
  static together(call: GrantCall): boolean {
    const [a, b, c] = call.args;
    if (call.op === 'gnttab.unmap') return isU32(a);
    return call.op === 'gnttab.map' && isU32(a) && typeof c === 'boolean' && Array.isArray(b) && b.length > 0 && b.every(isU32);
  }

  /**
   * Maps and unmaps, in order, with the results map() and unmap() give, but their system calls
   * made by one device call (gntdevRun): in the PV dom0 JavaScript between two system calls
   * costs several times what it costs in a row. Stops at the first that fails: the device call
   * leaves it undone, and it is made again here the ordinary way, to fail as it would have (a
   * refused map must be asked why) — or, if the grant changed in between, to succeed.
   */
  runTogether(calls: GrantCall[]): RunTogether {
    const results: (MapResult | UnmapResult)[] = [];
    let at = 0;
    while (at < calls.length) {
      const rest = calls.slice(at);
      const out = new Float64Array(2 * rest.length);
      let done: number;
      try {
        done = this.d.a.gntdevRun(this.d.gntdev, encode(rest, this.maps), out);
      } catch (failure) {
        return { results, failure };
      }
      for (let i = 0; i < done; i++) results.push(this.replay(rest[i], out[2 * i], out[2 * i + 1]));
      at += done;
      if (at === calls.length) break;
      const { op, args } = calls[at];
      try {
        results.push(op === 'gnttab.map' ? this.map(args[0] as number, args[1] as number[], args[2] as boolean) : this.unmap(args[0] as number));
      } catch (failure) {
        return { results, failure };
      }
      at++;
    }
    return { results };
  }

  /** Brings this side's books up to what gntdevRun did for one call. */
  private replay(call: GrantCall, index: number, mapId: number): MapResult | UnmapResult {
    if (call.op === 'gnttab.map') {
      const [domid, refs, readonly] = call.args as [number, number[], boolean];
      return this.mapped(index, domid, refs, readonly, mapId);
    }
    return this.unmapped(this.maps.get(call.args[0] as number)!);
  }

  private resolve(target: PageTarget, op: string, forWrite: boolean): { mapId: number; base: number; size: number } {
    if ('index' in target) {
      const m = this.maps.get(target.index);
      if (!m) throw refused('ENOENT', op, `domain ${this.domid} has no mapping at index ${target.index}`);
      if (forWrite && m.readonly) throw refused('EACCES', op, `the mapping at index ${target.index} is read-only`);
      return { mapId: m.mapId, base: 0, size: m.refs.length * PAGE };
    }
    for (const run of this.runs.values()) {
      const pos = run.refs.indexOf(target.ref);
      if (pos >= 0) return { mapId: run.mapId, base: pos * PAGE, size: (run.refs.length - pos) * PAGE };
    }
    throw refused('ENOENT', op, `domain ${this.domid} holds no granted page with ref ${target.ref}`);
  }

  read(target: PageTarget, offset: number, length?: number): Buffer {
    const r = this.resolve(target, 'gnttab.read', false);
    const len = length ?? r.size - offset;
    checkRange(r.size, offset, len, 'gnttab.read');
    return this.d.a.mapRead(r.mapId, r.base + offset, len);
  }

  write(target: PageTarget, offset: number, data: Buffer): number {
    const r = this.resolve(target, 'gnttab.write', true);
    checkRange(r.size, offset, data.length, 'gnttab.write');
    this.d.a.mapWrite(r.mapId, r.base + offset, data);
    return data.length;
  }

  limits(set: { gntalloc?: number; gntdev?: number }) {
    if (set.gntalloc !== undefined) writeLimit('gntalloc', set.gntalloc);
    if (set.gntdev !== undefined) writeLimit('gntdev', set.gntdev);
    return { gntalloc_limit: readLimit('gntalloc'), gntdev_map_limit: readLimit('gntdev') };
  }

  /**
   * D's grants as Xen holds them, and the refs of others D maps (inspect.ts). Of our own table Xen
   * shows nothing: our books give the grants this agent made and its own mappings of them.
   */
  list(domid = this.domid): GnttabListing {
    const op = 'gnttab.list';
    const size = this.view.tableSize(domid, op);
    const own = domid === this.domid;
    const entries = own ? undefined : this.view.table(domid, size.nr_frames, op);
    const granted: GrantedEntry[] = own ? this.ownGrants() : (entries ?? []).map((e) => ({ index: null, ...e }));
    const mapped = this.mapsOf(domid, op);
    return {
      granted,
      mapped,
      usage: {
        domid,
        nr_frames: size.nr_frames,
        max_nr_frames: size.max_nr_frames,
        maptrack_used: mapped.reduce((n, m) => n + m.refs.length, 0),
        maptrack_max: MAPTRACK_ENTRIES,
        gntalloc_used: own ? [...this.runs.values()].reduce((n, r) => n + r.refs.length, 0) : 0,
        gntalloc_limit: readLimit('gntalloc'),
      },
      note: own ? OWN_TABLE_NOTE : entries ? null : `Xen refuses to show domain ${domid}'s grant table (EPERM)`,
    };
  }

  private ownGrants(): GrantedEntry[] {
    const pins = new Map<number, 'r' | 'rw'>();
    for (const m of this.maps.values()) {
      if (m.domid !== this.domid) continue;
      for (const r of m.refs) if (pins.get(r) !== 'rw') pins.set(r, m.readonly ? 'r' : 'rw');
    }
    return [...this.runs.values()].flatMap((run) => run.refs.map((ref) => ({
      index: run.index, ref, to: run.to, readonly: run.readonly, in_use: run.to === this.domid ? pins.get(ref) ?? '-' as const : null, frame: null,
    }))).sort((x, y) => x.ref - y.ref);
  }

  /**
   * What D maps of other domains: our own mappings (when D is us) by their index, then what the
   * other domains' tables say D has in use, a line per granter and kind.
   */
  private mapsOf(domid: number, op: string): MappedEntry[] {
    const own = domid === this.domid ? [...this.maps.values()].sort((a, b) => a.index - b.index) : [];
    const known = new Set(own.flatMap((m) => m.refs.map((r) => `${m.domid}:${r}`)));
    const others: MappedEntry[] = [];
    for (const raw of this.view.rawDomains()) {
      if (raw.domid === domid || raw.domid === this.domid) continue;
      const entries = this.view.table(raw.domid, this.view.tableSize(raw.domid, op).nr_frames, op) ?? [];
      for (const readonly of [true, false]) {
        const refs = entries.filter((e) => e.to === domid && e.in_use === (readonly ? 'r' : 'rw') && !known.has(`${raw.domid}:${e.ref}`))
          .map((e) => e.ref);
        if (refs.length) others.push({ index: null, domid: raw.domid, refs, readonly });
      }
    }
    return [...own.map((m) => ({ index: m.index, domid: m.domid, refs: m.refs, readonly: m.readonly })), ...others];
  }

  /** GNTTABOP_copy out of (domid, ref): refusals as Xen orders them (docs/XEN-RULES.md: copy). */
  copyFrom(domid: number, ref: number, offset: number, length?: number): Buffer {
    const data = Buffer.alloc(length ?? Math.max(PAGE - offset, 0));
    this.copy(domid, ref, offset, data, false);
    return data;
  }

  copyTo(domid: number, ref: number, offset: number, data: Buffer): number {
    this.copy(domid, ref, offset, data, true);
    return data.length;
  }

  private copy(domid: number, ref: number, offset: number, data: Buffer, intoGrant: boolean): void {
    const op = 'gnttab.copy';
    if (data.length === 0) return;
    // gntdev refuses a segment that crosses the page before Xen sees it, where Xen would first
    // check the grant: so Xen is asked about the grant alone, and the length answered as Xen does
    const status = offset + data.length > PAGE
      ? this.d.a.gntdevCopyProbe(this.d.gntdev, domid, ref, intoGrant) || GNTST_BAD_COPY_ARG
      : sys(op, () => this.d.a.gntdevCopy(this.d.gntdev, domid, ref, offset, data, intoGrant));
    if (status !== 0) {
      throw refused('EINVAL', op, `copying ${intoGrant ? 'into' : 'out of'} grant ref ${ref} of domain ${domid} failed: ${gntstMessage(status)}`,
        { gntst: status });
    }
  }

  /** Agent shutdown: the kernel would drop all of it with the fds anyway. */
  releaseAll(): void {
    for (const m of this.maps.values()) this.d.a.munmap(m.mapId);
    for (const r of this.runs.values()) this.d.a.munmap(r.mapId);
  }
}

const isU32 = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;

/** The calls as gntdevRun reads them: map 1 domid writable count ref…, unmap 2 index id. */
function encode(calls: GrantCall[], maps: ReadonlyMap<number, { mapId: number }>): Float64Array {
  let size = 0;
  for (const c of calls) size += c.op === 'gnttab.map' ? 4 + (c.args[1] as number[]).length : 3;
  const ops = new Float64Array(size);
  let at = 0;
  for (const { op, args } of calls) {
    if (op === 'gnttab.map') {
      const refs = args[1] as number[];
      ops[at] = 1;
      ops[at + 1] = args[0] as number;
      ops[at + 2] = args[2] ? 0 : 1;
      ops[at + 3] = refs.length;
      ops.set(refs, at + 4);
      at += 4 + refs.length;
    } else {
      ops[at] = 2;
      ops[at + 1] = args[0] as number;
      // where the books already hold the mapping, its id spares the device call a search
      ops[at + 2] = maps.get(args[0] as number)?.mapId ?? 0;
      at += 3;
    }
  }
  return ops;
}

function checkRange(size: number, offset: number, length: number, op: string): void {
  if (offset > size || offset + length > size || length < 0) {
    throw refused('EINVAL', op, `offset ${offset} + length ${length} runs past the end (${size} bytes)`);
  }
}
