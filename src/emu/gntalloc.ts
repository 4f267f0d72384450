/**
 * /dev/xen/gntalloc of an emulated domain (docs/XEN-RULES.md: gntalloc): grants the domain's own zeroed pages.
 * One device per domain, as the native agent holds one gntalloc fd per user: indices are byte
 * offsets that only grow, the limit counts the grefs the device holds, and a gref still mapped
 * when deallocated lingers in the grant table (outside the device's count) until the grantee
 * unmaps it.
 */
import { refused } from '../errors.js';
import type { GrantResult, UngrantResult } from '../backend/types.js';
import type { DomainRow } from './domain-rows.js';
import { allocRef, endAccessAndFree, grantRow, writeGrantEntry } from './grant-table.js';
import { PAGE_SIZE } from '../xen.js';
import { domainPages, gfnToMfn, type PageRun, zeroFrame } from './machine.js';
import type { StateStore } from './store.js';

const OP_ALLOC = 'gnttab.grant';
const OP_DEALLOC = 'gnttab.ungrant';

export interface GntallocRow {
  domid: number; ref: number; run_page: number; run_count: number; pos: number; gfn: number;
  to_domid: number; readonly: number; released: number;
}

/**
 * ALLOC_GREF. Linux advances the fd's index before it allocates the grefs, and does not take
 * it back when that fails; `onIndexConsumed` lets the caller keep that advance while the rest
 * is rolled back.
 */
export function allocGrefs(st: StateStore, d: DomainRow, to: number, pages: number, readonly: boolean,
  runAllocation: (fn: () => GrantResult) => GrantResult): GrantResult {
  // the grants the device holds (see schema.ts); a deallocated gref the grantee still maps is not
  // one: since the XSA-396 fixes (Linux 5.17, so 6.1 too) gntalloc hands it to the grant table's
  // deferred list and forgets it at once (seen on the real dom0)
  const used = d.gntalloc_used;
  if (used + pages > d.gntalloc_limit) {
    throw refused('ENOSPC', OP_ALLOC,
      `gntalloc limit reached: ${used} of ${d.gntalloc_limit} grants in use, ${pages} more asked`);
  }
  const runPage = d.gntalloc_next_page;
  st.run('UPDATE domains SET gntalloc_next_page = gntalloc_next_page + ? WHERE domid = ?', pages, d.domid);
  return runAllocation(() => {
    const gfns = freeKernelPages(st, d.domid, pages);
    const refs: number[] = [];
    for (let pos = 0; pos < pages; pos++) {
      const ref = allocRef(st, d, OP_ALLOC);
      zeroFrame(st, gfnToMfn(st, d.domid, gfns[pos])!);
      writeGrantEntry(st, d.domid, ref, to, gfns[pos], readonly);
      st.run(`INSERT INTO gntalloc (domid, ref, run_page, run_count, pos, gfn, to_domid, readonly)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.domid, ref, runPage, pages, pos, gfns[pos], to, readonly ? 1 : 0);
      refs.push(ref);
    }
    return { domid: d.domid, to, index: runPage * PAGE_SIZE, refs, readonly };
  });
}

/**
 * Pages the kernel can hand out: going down from just below the lowest frame gntalloc holds
 * (from the top of the domain's memory when it holds none), then, once the bottom is reached,
 * the highest frames in the holes freed pages left. The first is one indexed lookup whatever
 * the number of grants; the hole search runs only on a domain whose memory is nearly all granted.
 * ENOMEM when the domain has none left.
 */
function freeKernelPages(st: StateStore, domid: number, pages: number): number[] {
  const lowest = st.get<{ g: number | null }>('SELECT min(gfn) AS g FROM gntalloc WHERE domid = ?', domid)!.g;
  const below = lowest ?? domainPages(st, domid);
  if (below >= pages) return Array.from({ length: pages }, (_, k) => below - 1 - k);
  const out: number[] = [];
  for (let gfn = below - 1; gfn >= 0; gfn--) out.push(gfn);
  // holes: frames above the lowest held one, not held, highest first
  const top = domainPages(st, domid);
  const held = st.iterate<{ gfn: number }>('SELECT gfn FROM gntalloc WHERE domid = ? ORDER BY gfn DESC', domid);
  let next = top - 1;
  for (const { gfn } of held) {
    for (; next > gfn && out.length < pages; next--) out.push(next);
    if (out.length >= pages) break;
    next = gfn - 1;
  }
  if (out.length < pages) throw refused('ENOMEM', OP_ALLOC, `domain ${domid} has no free pages left to grant`);
  return out;
}

/** DEALLOC_GREF of the whole run that starts at `index`. */
export function deallocRun(st: StateStore, domid: number, index: number): UngrantResult {
  const rows = index % 4096 === 0
    ? st.all<GntallocRow>('SELECT * FROM gntalloc INDEXED BY gntalloc_run WHERE domid = ? AND run_page = ? AND released = 0 ORDER BY pos',
      domid, index / PAGE_SIZE)
    : [];
  if (rows.length === 0) throw refused('EINVAL', OP_DEALLOC, `no grant run starts at index ${index}`);
  const deferred: number[] = [];
  for (const r of rows) {
    const g = grantRow(st, domid, r.ref)!;
    if (g.pin_read + g.pin_write > 0) {
      st.run('UPDATE gntalloc SET released = 1 WHERE domid = ? AND ref = ?', domid, r.ref);
      deferred.push(r.ref);
    } else {
      freeGref(st, r);
    }
  }
  return { index, refs: rows.map((r) => r.ref), deferred };
}

function freeGref(st: StateStore, r: GntallocRow): void {
  endAccessAndFree(st, r.domid, r.ref);
  st.run('DELETE FROM gntalloc WHERE domid = ? AND ref = ?', r.domid, r.ref);
  zeroFrame(st, gfnToMfn(st, r.domid, r.gfn)!);
}

/** After the grantee unmapped: a deallocated gref nobody maps any more is finally freed. */
export function releaseIfUnused(st: StateStore, granter: number, ref: number): void {
  const r = st.get<GntallocRow>('SELECT * FROM gntalloc WHERE domid = ? AND ref = ? AND released = 1', granter, ref);
  if (!r) return;
  const g = grantRow(st, granter, ref)!;
  if (g.pin_read + g.pin_write === 0) freeGref(st, r);
}

/**
 * The pages from `ref`'s to the end of its run (what read/write through --ref may reach): how
 * many, and the machine frame of any of them, looked up only for the pages an access touches.
 */
// (INDEXED BY: without statistics SQLite would search the primary key by domid alone, every
// grant of the domain, instead of the run's index)
export function pagesFromRef(st: StateStore, domid: number, ref: number, op: string): PageRun {
  const r = st.get<Pick<GntallocRow, 'run_page' | 'run_count' | 'pos' | 'gfn'>>(
    'SELECT run_page, run_count, pos, gfn FROM gntalloc WHERE domid = ? AND ref = ? AND released = 0', domid, ref);
  if (!r) throw refused('ENOENT', op, `domain ${domid} holds no granted page with ref ${ref}`);
  // (the ref's own page is in its row; the run's later pages are looked up by position)
  const gfnAt = (k: number) => (k === 0 ? r.gfn : st.get<{ gfn: number }>(
    'SELECT gfn FROM gntalloc INDEXED BY gntalloc_run WHERE domid = ? AND run_page = ? AND pos = ?', domid, r.run_page, r.pos + k)!.gfn);
  return { pages: r.run_count - r.pos, frame: (k) => gfnToMfn(st, domid, gfnAt(k))! };
}
