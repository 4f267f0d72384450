/**
 * /dev/xen/gntdev of an emulated domain (docs/XEN-RULES.md: gntdev): MAP_GRANT_REF places a mapping at the
 * kernel's index (rules/gntdev.ts) and the mmap that follows pins every grant through the
 * hypervisor's checks. A refused ref fails the whole mapping with EINVAL and leaves nothing mapped.
 *
 * Placement reads the stored gaps rather than walking every mapping: each map row keeps the free
 * pages after it (gap_after), and only maps followed by free pages are indexed, so placing costs
 * the same with ten mappings or ten thousand.
 */
import { refused } from '../errors.js';
import type { MapResult, UnmapResult } from '../backend/types.js';
import { grantingRow } from './domain-rows.js';
import { pinForMap, unpin } from './grant-table.js';
import { releaseIfUnused } from './gntalloc.js';
import type { PageRun } from './machine.js';
import { fits, gapAfter } from './rules/gntdev.js';
import type { StateStore } from './store.js';
import { PAGE_SIZE } from '../xen.js';

const OP_MAP = 'gnttab.map';
const OP_UNMAP = 'gnttab.unmap';

export interface MapRow { domid: number; page: number; count: number; granter: number; readonly: number; gap_after: number | null }

/**
 * The page a mapping of `count` pages goes to, and the map it goes right after (if any). Gaps on
 * file that do not match the maps (written by hand, or by an older xgt still running after this
 * one upgraded the file) are counted again rather than trusted into an overlap.
 */
export function placeIndex(st: StateStore, domid: number, count: number): { page: number; after?: MapRow; next?: number } {
  // in front of the first map (or with none): the maps themselves say so, and that map follows
  const first = q.firstMap(st, domid);
  if (!first || fits(first.page, count)) return { page: 0, next: first?.page };
  const place = placeInGap(st, domid, count);
  // the first map from there on: past the mapping's end when the gaps are right, and then the
  // map that follows it
  const next = place && q.nextMapPage(st, domid, place.page);
  if (place && (next === undefined || next > place.page + count)) return { ...place, next };
  recountGaps(st);
  const again = placeInGap(st, domid, count)!;
  return { ...again, next: q.nextMapPage(st, domid, again.page) };
}

/** The gap after a map where the gaps on file put the mapping; undefined when they say there is no room. */
function placeInGap(st: StateStore, domid: number, count: number): { page: number; after: MapRow } | undefined {
  for (const after of q.mapsWithGaps(st, domid)) {
    if (fits(after.gap_after, count)) return { page: after.page + after.count, after };
  }
  return undefined;
}

/** Sets every mapping's gap_after from the maps themselves. */
export function recountGaps(st: StateStore): void {
  const maps = q.everyMap(st);
  maps.forEach((m, i) => {
    const next = maps[i + 1];
    const gap = gapAfter(m.page + m.count, next && next.domid === m.domid ? next.page : undefined);
    if (gap !== m.gap_after) q.setGap(st, m.domid, m.page, gap);
  });
}

/** Recounts the gap after the map in front of `page`, once a map there came or went. */
function regapBefore(st: StateStore, domid: number, page: number): void {
  const prev = q.mapBefore(st, domid, page);
  if (prev) q.setGap(st, domid, prev.page, gapAfter(prev.page + prev.count, q.nextMapPage(st, domid, prev.page + prev.count)));
}

export function mapGrants(st: StateStore, domid: number, granter: number, refs: number[], readonly: boolean): MapResult {
  const d = grantingRow(st, domid)!;
  const limit = d.gntdev_limit;
  if (refs.length === 0 || refs.length > limit) {
    throw refused('EINVAL', OP_MAP, `a mapping takes 1 to ${limit} refs (got ${refs.length})`);
  }
  const { page, after, next } = placeIndex(st, domid, refs.length);
  const end = page + refs.length;
  q.insertMap(st, { domid, page, count: refs.length, granter, readonly: readonly ? 1 : 0, gap_after: gapAfter(end, next) });
  if (after) q.setGap(st, domid, after.page, 0);
  const g = grantingRow(st, granter);
  let handles = d.maptrack_used;
  refs.forEach((ref, pos) => {
    const mfn = pinForMap(st, OP_MAP, domid, g, granter, ref, readonly, handles++);
    q.insertPage(st, domid, page, pos, granter, ref, mfn);
  });
  return { index: page * PAGE_SIZE, domid: granter, refs, count: refs.length, readonly };
}

export function mapAt(st: StateStore, domid: number, index: number): MapRow | undefined {
  if (index % PAGE_SIZE !== 0) return undefined;
  return q.mapAt(st, domid, index / PAGE_SIZE);
}

/** The pages of a mapping, as a PageRun: frames looked up only for the pages touched. */
export function mappedRun(st: StateStore, domid: number, m: MapRow): PageRun {
  return { pages: m.count, frame: (k) => q.frameAt(st, domid, m.page, k) };
}

export function mapPages(st: StateStore, domid: number, page: number) {
  return q.pagesOf(st, domid, page);
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
  q.deleteMap(st, m.domid, m.page, m.count);
  regapBefore(st, m.domid, m.page);
  for (const p of pages) {
    unpin(st, m.granter, p.ref, m.readonly === 1);
    releaseIfUnused(st, m.granter, p.ref);
  }
}

export function listMaps(st: StateStore, domid: number) {
  return q.mapsOf(st, domid).map((m) => ({
    index: m.page * PAGE_SIZE,
    domid: m.granter,
    refs: mapPages(st, domid, m.page).map((p) => p.ref),
    readonly: m.readonly === 1,
  }));
}

/** The state file's side of gntdev: one named query each. */
const q = {
  firstMap: (st: StateStore, domid: number) =>
    st.get<{ page: number }>('SELECT page FROM gntdev_maps WHERE domid = ? ORDER BY page LIMIT 1', domid),
  // maps followed by free pages (or by nothing), in order: the index holds only those; without
  // statistics SQLite would walk the primary key, and the index's own condition, spelled out, lets
  // it take the index
  mapsWithGaps: (st: StateStore, domid: number) => st.iterate<MapRow>(`SELECT * FROM gntdev_maps INDEXED BY gntdev_maps_gap
    WHERE domid = ? AND (gap_after IS NULL OR gap_after > 0) ORDER BY page`, domid),
  nextMapPage: (st: StateStore, domid: number, from: number) =>
    st.get<{ page: number }>('SELECT page FROM gntdev_maps WHERE domid = ? AND page >= ? ORDER BY page LIMIT 1', domid, from)?.page,
  mapBefore: (st: StateStore, domid: number, page: number) => st.get<{ page: number; count: number }>(
    'SELECT page, count FROM gntdev_maps WHERE domid = ? AND page < ? ORDER BY page DESC LIMIT 1', domid, page),
  everyMap: (st: StateStore) => st.all<MapRow>('SELECT * FROM gntdev_maps ORDER BY domid, page'),
  mapsOf: (st: StateStore, domid: number) => st.all<MapRow>('SELECT * FROM gntdev_maps WHERE domid = ? ORDER BY page', domid),
  mapAt: (st: StateStore, domid: number, page: number) =>
    st.get<MapRow>('SELECT * FROM gntdev_maps WHERE domid = ? AND page = ?', domid, page),
  setGap: (st: StateStore, domid: number, page: number, gap: number | null) =>
    st.run('UPDATE gntdev_maps SET gap_after = ? WHERE domid = ? AND page = ?', gap, domid, page),
  insertMap: (st: StateStore, m: MapRow) => st.run(`INSERT INTO gntdev_maps (domid, page, count, granter, readonly, gap_after)
    VALUES (?, ?, ?, ?, ?, ?)`, m.domid, m.page, m.count, m.granter, m.readonly, m.gap_after),
  // a page at a time, by its whole key: SQLite deletes one keyed row in one pass, where a DELETE
  // that may match several rows of a table with a trigger first gathers their keys in a temporary
  // table, which costs several times a single delete
  deleteMap: (st: StateStore, domid: number, page: number, count: number) => {
    for (let pos = 0; pos < count; pos++) st.run('DELETE FROM gntdev_pages WHERE domid = ? AND page = ? AND pos = ?', domid, page, pos);
    st.run('DELETE FROM gntdev_maps WHERE domid = ? AND page = ?', domid, page);
  },
  insertPage: (st: StateStore, domid: number, page: number, pos: number, granter: number, ref: number, mfn: number) =>
    st.run('INSERT INTO gntdev_pages (domid, page, pos, granter, ref, mfn) VALUES (?, ?, ?, ?, ?, ?)', domid, page, pos, granter, ref, mfn),
  pagesOf: (st: StateStore, domid: number, page: number) => st.all<{ ref: number; mfn: number; granter: number }>(
    'SELECT ref, mfn, granter FROM gntdev_pages WHERE domid = ? AND page = ? ORDER BY pos', domid, page),
  frameAt: (st: StateStore, domid: number, page: number, pos: number) =>
    st.get<{ mfn: number }>('SELECT mfn FROM gntdev_pages WHERE domid = ? AND page = ? AND pos = ?', domid, page, pos)!.mfn,
};
