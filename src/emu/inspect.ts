/**
 * The emulated host seen as Xen shows it to the acting domain (docs/XEN-RULES.md: seeing other
 * domains): every other domain's grant table whole; the acting domain's own table not at all,
 * since Xen maps no domain its own — so `gnttab list` and `top` give the same views natively and
 * here. Of its own table, what the acting domain can know: the grants it made, and the use of
 * those it granted to itself (only it can map them).
 */
import { refused } from '../errors.js';
import type { DomainUsage, GnttabListing, GrantedEntry, MappedEntry } from '../backend/types.js';
import { MAPTRACK_ENTRIES, OWN_TABLE_NOTE, PAGE_SIZE } from '../xen.js';
import { type DomainRow, domainRow } from './domain-rows.js';
import { entriesOf, inUse } from './grant-table.js';
import { listMaps } from './gntdev.js';
import { gfnToMfn } from './machine.js';
import { mayInspect } from './privilege.js';
import type { StateStore } from './store.js';

export function grantListing(st: StateStore, acting: number, domid: number): GnttabListing {
  mayInspect(st, acting, domid, 'gnttab.list');
  const d = domainRow(st, domid);
  if (!d) throw refused('ESRCH', 'gnttab.list', `no domain ${domid}`);
  const own = domid === acting;
  const runs = q.runsByRef(st, domid);
  // of its own table a domain knows only the grants it made and still holds
  const entries = entriesOf(st, domid).filter((g) => !own || runs.has(g.ref));
  const granted: GrantedEntry[] = entries.map((g) => ({
    index: runs.has(g.ref) ? runs.get(g.ref)! * PAGE_SIZE : null,
    ref: g.ref,
    to: g.to_domid,
    readonly: (g.flags & 0x4) !== 0,
    // only the grantee can map an entry: in its own table a domain sees the use of those it granted itself
    in_use: !own || g.to_domid === domid ? inUse(g) : null,
    frame: own ? null : d.type === 'pv' ? gfnToMfn(st, domid, g.gfn) ?? null : g.gfn,
  }));
  const mapped: MappedEntry[] = listMaps(st, domid).filter((m) => own || m.domid !== acting);
  return {
    granted,
    mapped,
    usage: {
      domid,
      nr_frames: d.nr_grant_frames,
      max_nr_frames: d.max_grant_frames,
      maptrack_used: mapped.reduce((n, m) => n + m.refs.length, 0),
      maptrack_max: MAPTRACK_ENTRIES,
      gntalloc_used: d.gntalloc_used,
      gntalloc_limit: d.gntalloc_limit,
    },
    note: own ? OWN_TABLE_NOTE : null,
  };
}

/** `xgt top`'s rows: Domain-0's view of every domain (a guest may look only at itself). */
export function domainUsage(st: StateStore, acting: number): DomainUsage[] {
  const rows = acting === 0 ? st.all<DomainRow>('SELECT * FROM domains ORDER BY domid') : [domainRow(st, acting)!];
  const grants = new Map(q.grantCounts(st).map((r) => [r.domid, r]));
  const maps = new Map(q.mapCounts(st, acting).map((r) => [r.domid, r.refs]));
  const ports = new Map(q.portCounts(st).map((r) => [r.domid, r]));
  return rows.map((d) => ({
    domid: d.domid,
    name: d.name,
    type: d.type,
    grant_frames: d.nr_grant_frames,
    max_grant_frames: d.max_grant_frames,
    grants: d.domid === acting ? null : grants.get(d.domid)?.grants ?? 0,
    grants_mapped: d.domid === acting ? null : grants.get(d.domid)?.in_use ?? 0,
    maps: maps.get(d.domid) ?? 0,
    ports: ports.get(d.domid)?.ports ?? 0,
    max_port: ports.get(d.domid)?.max_port ?? null,
  }));
}

/** The state file's side: one named query each, each one pass over its table for every domain. */
const q = {
  runsByRef: (st: StateStore, domid: number) => new Map(st.all<{ ref: number; run_page: number }>(
    'SELECT ref, run_page FROM gntalloc WHERE domid = ? AND released = 0', domid).map((r) => [r.ref, r.run_page])),
  grantCounts: (st: StateStore) => st.all<{ domid: number; grants: number; in_use: number }>(
    'SELECT domid, count(*) AS grants, sum(pin_read + pin_write > 0) AS in_use FROM grants GROUP BY domid'),
  // refs of other domains each domain maps, counted once however often mapped (Xen's flags say
  // only "in use"); the acting domain's grants are seen only in its own mappings
  mapCounts: (st: StateStore, acting: number) => st.all<{ domid: number; refs: number }>(
    `SELECT domid, count(DISTINCT granter * 4294967296 + ref) AS refs FROM gntdev_pages
     WHERE granter <> domid AND (granter <> ? OR domid = ?) GROUP BY domid`, acting, acting),
  portCounts: (st: StateStore) => st.all<{ domid: number; ports: number; max_port: number }>(
    'SELECT domid, count(*) AS ports, max(port) AS max_port FROM evtchn GROUP BY domid'),
};
