/**
 * /dev/xen/gntdev of an emulated domain (XEN-FACTS A): MAP_GRANT_REF places a mapping at the
 * kernel's index (sorted first fit, a gap exactly the request's size skipped) and the mmap that
 * follows pins every grant through the hypervisor's checks. A refused ref fails the whole
 * mapping with EINVAL and leaves nothing mapped.
 */
import { refused } from '../errors.js';
import type { MapResult, UnmapResult } from '../backend/types.js';
import { pinForMap, unpin } from './grant-table.js';
import { releaseIfUnused } from './gntalloc.js';
import { PAGE_SIZE } from '../xen.js';
import { domainRow } from './domain-rows.js';
import { RECOUNT_GNTDEV_GAPS } from './schema.js';
import type { PageRun } from './machine.js';
import type { StateStore } from './store.js';

const OP_MAP = 'gnttab.map';
const OP_UNMAP = 'gnttab.unmap';

export interface MapRow { domid: number; page: number; count: number; granter: number; readonly: number; gap_after: number | null }

/**
 * The kernel walks its maps in index order and slots the new one in front of the first map it
 * ends strictly before; so a gap of exactly `count` pages is not reused. Each map row keeps the
 * free pages after it (gap_after), and only maps followed by free pages are indexed: the walk
 * skips every run of adjacent maps, so its cost does not grow with a domain's mappings.
 */
export function placeIndex(st: StateStore, domid: number, count: number): number {
  const page = firstFit(st, domid, count);
  if (page !== undefined
    && !st.get('SELECT 1 FROM gntdev_maps WHERE domid = ? AND page BETWEEN ? AND ? LIMIT 1', domid, page, page + count)) {
    return page;
  }
  // the gaps on file do not match the maps (written by hand, or by an older xgt still running
  // after this one upgraded the file): count them again
  st.run(RECOUNT_GNTDEV_GAPS);
  return firstFit(st, domid, count)!;
}

/** Where the gaps on file put the mapping; undefined when they say there is no room at all. */
function firstFit(st: StateStore, domid: number, count: number): number | undefined {
  const first = st.get<{ page: number }>('SELECT page FROM gntdev_maps WHERE domid = ? ORDER BY page LIMIT 1', domid);
  if (!first || count < first.page) return 0;
  // without statistics SQLite would walk the primary key; the index's own condition, spelled
  // out, is what lets it take the index
  return st.get<{ end: number }>(`SELECT page + count AS end FROM gntdev_maps INDEXED BY gntdev_maps_gap
    WHERE domid = ? AND (gap_after IS NULL OR gap_after > 0) AND (gap_after IS NULL OR gap_after > ?)
    ORDER BY page LIMIT 1`, domid, count)?.end;
}

/** The free pages from `end` to the next map, null if none follows. */
function gapFrom(st: StateStore, domid: number, end: number): number | null {
  const next = st.get<{ page: number }>('SELECT page FROM gntdev_maps WHERE domid = ? AND page >= ? ORDER BY page LIMIT 1', domid, end);
  return next ? next.page - end : null;
}

/** Recounts the gap after the map in front of `page`, once a map there came or went. */
function regapBefore(st: StateStore, domid: number, page: number): void {
  const prev = st.get<{ page: number; count: number }>(
    'SELECT page, count FROM gntdev_maps WHERE domid = ? AND page < ? ORDER BY page DESC LIMIT 1', domid, page);
  if (prev) {
    st.run('UPDATE gntdev_maps SET gap_after = ? WHERE domid = ? AND page = ?', gapFrom(st, domid, prev.page + prev.count), domid, prev.page);
  }
}

export function mapGrants(st: StateStore, domid: number, granter: number, refs: number[], readonly: boolean): MapResult {
  const d = domainRow(st, domid)!;
  const limit = d.gntdev_limit;
  if (refs.length === 0 || refs.length > limit) {
    throw refused('EINVAL', OP_MAP, `a mapping takes 1 to ${limit} refs (got ${refs.length})`);
  }
  const page = placeIndex(st, domid, refs.length);
  let handles = d.maptrack_used;
  st.run('INSERT INTO gntdev_maps (domid, page, count, granter, readonly, gap_after) VALUES (?, ?, ?, ?, ?, ?)',
    domid, page, refs.length, granter, readonly ? 1 : 0, gapFrom(st, domid, page + refs.length));
  regapBefore(st, domid, page);
  refs.forEach((ref, pos) => {
    const mfn = pinForMap(st, OP_MAP, domid, granter, ref, readonly, handles++);
    st.run('INSERT INTO gntdev_pages (domid, page, pos, granter, ref, mfn) VALUES (?, ?, ?, ?, ?, ?)',
      domid, page, pos, granter, ref, mfn);
  });
  return { index: page * PAGE_SIZE, domid: granter, refs, count: refs.length, readonly };
}

export function mapAt(st: StateStore, domid: number, index: number): MapRow | undefined {
  if (index % 4096 !== 0) return undefined;
  return st.get<MapRow>('SELECT * FROM gntdev_maps WHERE domid = ? AND page = ?', domid, index / PAGE_SIZE);
}

/** The pages of the mapping at `page`, as a PageRun: frames looked up only for the pages touched. */
export function mappedRun(st: StateStore, domid: number, m: MapRow): PageRun {
  return {
    pages: m.count,
    frame: (k) => st.get<{ mfn: number }>('SELECT mfn FROM gntdev_pages WHERE domid = ? AND page = ? AND pos = ?', domid, m.page, k)!.mfn,
  };
}

export function mapPages(st: StateStore, domid: number, page: number) {
  return st.all<{ ref: number; mfn: number; granter: number }>(
    'SELECT ref, mfn, granter FROM gntdev_pages WHERE domid = ? AND page = ? ORDER BY pos', domid, page);
}

/**
 * UNMAP_GRANT_REF + munmap: unpins every grant; a grant its granter already deallocated is
 * freed now, and a dying granter with nothing mapped any more goes away (`onGranterIdle`).
 */
export function unmapIndex(st: StateStore, domid: number, index: number,
  onGranterIdle: (granter: number) => void): UnmapResult {
  const m = mapAt(st, domid, index);
  if (!m) throw refused('ENOENT', OP_UNMAP, `domain ${domid} has no mapping at index ${index}`);
  const pages = mapPages(st, domid, m.page);
  removeMap(st, m, pages);
  onGranterIdle(m.granter);
  return { index, domid: m.granter, refs: pages.map((p) => p.ref), count: m.count };
}

export function removeMap(st: StateStore, m: MapRow, pages: { ref: number }[]): void {
  st.run('DELETE FROM gntdev_pages WHERE domid = ? AND page = ?', m.domid, m.page);
  st.run('DELETE FROM gntdev_maps WHERE domid = ? AND page = ?', m.domid, m.page);
  regapBefore(st, m.domid, m.page);
  for (const p of pages) {
    unpin(st, m.granter, p.ref, m.readonly === 1);
    releaseIfUnused(st, m.granter, p.ref);
  }
}

export function listMaps(st: StateStore, domid: number) {
  return st.all<MapRow>('SELECT * FROM gntdev_maps WHERE domid = ? ORDER BY page', domid).map((m) => ({
    index: m.page * PAGE_SIZE,
    domid: m.granter,
    refs: mapPages(st, domid, m.page).map((p) => p.ref),
    readonly: m.readonly === 1,
  }));
}
