/**
 * `emu check`: every invariant of the emulated host, checked over the whole state file.
 * Each query returns the rows that break its rule; a clean host returns none anywhere.
 */
import { gapAfter } from './rules/gntdev.js';
import type { StateStore } from './store.js';

export interface Violation { check: string; detail: string }

/** A rule of the host: the rows that break it, found by a query, or by code where the rule is a function (rules/). */
type Check = { check: string; detail: (r: Record<string, unknown>) => string }
  & ({ sql: string } | { rows: (st: StateStore) => Record<string, unknown>[] });

const CHECKS: Check[] = [
  {
    check: 'mapping pins a grant that permits it',
    sql: `SELECT p.domid, p.page, p.ref, p.granter, g.to_domid, g.flags FROM gntdev_pages p
          JOIN gntdev_maps m ON m.domid = p.domid AND m.page = p.page
          LEFT JOIN grants g ON g.domid = p.granter AND g.ref = p.ref
          WHERE g.ref IS NULL OR g.to_domid != p.domid OR (g.flags & 3) != 1 OR (m.readonly = 0 AND g.flags & 4)`,
    detail: (r) => `domain ${r.domid}'s mapping at page ${r.page} holds ref ${r.ref} of domain ${r.granter}, which does not permit it`,
  },
  {
    check: 'pin counts (GTF_reading/GTF_writing) match the mappings',
    sql: `SELECT g.domid, g.ref, g.pin_read, g.pin_write,
            (SELECT count(*) FROM gntdev_pages p JOIN gntdev_maps m ON m.domid = p.domid AND m.page = p.page
             WHERE p.granter = g.domid AND p.ref = g.ref AND m.readonly = 1) AS r,
            (SELECT count(*) FROM gntdev_pages p JOIN gntdev_maps m ON m.domid = p.domid AND m.page = p.page
             WHERE p.granter = g.domid AND p.ref = g.ref AND m.readonly = 0) AS w
          FROM grants g WHERE g.pin_read != r OR g.pin_write != w`,
    detail: (r) => `domain ${r.domid} ref ${r.ref}: pins ${r.pin_read}r/${r.pin_write}w, mappings ${r.r}r/${r.w}w`,
  },
  {
    check: 'every mapping has its pages',
    sql: `SELECT m.domid, m.page, m.count, (SELECT count(*) FROM gntdev_pages p WHERE p.domid = m.domid AND p.page = m.page) AS n
          FROM gntdev_maps m WHERE n != m.count`,
    detail: (r) => `domain ${r.domid}'s mapping at page ${r.page} has ${r.n} of ${r.count} pages`,
  },
  {
    check: "each mapping's gap_after is the free pages up to the next mapping",
    rows: (st) => {
      const maps = st.all<{ domid: number; page: number; count: number; gap_after: number | null }>(
        'SELECT domid, page, count, gap_after FROM gntdev_maps ORDER BY domid, page');
      return maps.map((m, i) => {
        const next = maps[i + 1];
        return { ...m, want: gapAfter(m.page + m.count, next && next.domid === m.domid ? next.page : undefined) };
      }).filter((m) => m.gap_after !== m.want);
    },
    detail: (r) => `domain ${r.domid}'s mapping at page ${r.page} records ${r.gap_after ?? 'no map'} after it, not ${r.want ?? 'no map'}`,
  },
  {
    check: "each domain's usage counts match its mappings and grants",
    sql: `SELECT domid, maptrack_used, gntalloc_used, m, g FROM (SELECT d.domid, d.maptrack_used, d.gntalloc_used,
            (SELECT count(*) FROM gntdev_pages p WHERE p.domid = d.domid) AS m,
            (SELECT count(*) FROM gntalloc a WHERE a.domid = d.domid AND a.released = 0) AS g
          FROM domains d) WHERE maptrack_used != m OR gntalloc_used != g`,
    detail: (r) => `domain ${r.domid} counts ${r.maptrack_used} mapped pages and ${r.gntalloc_used} grants; `
      + `its rows say ${r.m} and ${r.g}`,
  },
  {
    // (a grant without a gntalloc page is a kernel's own, as a frontend makes them: real hosts are full of them)
    check: 'every gntalloc page is granted',
    sql: `SELECT a.domid, a.ref FROM gntalloc a
            LEFT JOIN grants g ON g.domid = a.domid AND g.ref = a.ref WHERE g.ref IS NULL`,
    detail: (r) => `domain ${r.domid} ref ${r.ref}: gntalloc page without grant`,
  },
  {
    check: 'a deallocated grant lingers only while it is mapped',
    sql: `SELECT a.domid, a.ref FROM gntalloc a JOIN grants g ON g.domid = a.domid AND g.ref = a.ref
          WHERE a.released = 1 AND g.pin_read + g.pin_write = 0`,
    detail: (r) => `domain ${r.domid} ref ${r.ref} was deallocated, is mapped by nobody, and was never freed`,
  },
  {
    check: 'free grant refs are free and within the table',
    sql: `SELECT f.domid, f.ref FROM grant_free f JOIN domains d ON d.domid = f.domid
          WHERE f.ref < 8 OR f.ref >= d.gnt_next_unused OR EXISTS (SELECT 1 FROM grants g WHERE g.domid = f.domid AND g.ref = f.ref)`,
    detail: (r) => `domain ${r.domid} lists ref ${r.ref} as free, but it is in use or out of range`,
  },
  {
    check: 'interdomain peers point back',
    sql: `SELECT e.domid, e.port, e.remote_domid, e.remote_port FROM evtchn e
          LEFT JOIN evtchn p ON p.domid = e.remote_domid AND p.port = e.remote_port
          WHERE e.state = 'interdomain' AND (p.port IS NULL OR p.state != 'interdomain' OR p.remote_domid != e.domid OR p.remote_port != e.port)`,
    detail: (r) => `domain ${r.domid} port ${r.port} points at ${r.remote_domid}:${r.remote_port}, which does not point back`,
  },
  {
    check: 'pending and masked only on bound ports',
    sql: `SELECT r.domid, r.port, 'delivered' AS what FROM evtchn_ring r
            LEFT JOIN evtchn e ON e.domid = r.domid AND e.port = r.port WHERE e.port IS NULL OR e.bound_here = 0 OR e.enabled = 1
          UNION ALL SELECT domid, port, 'pending while unmasked' FROM evtchn WHERE bound_here = 1 AND pending = 1 AND enabled = 1`,
    detail: (r) => `domain ${r.domid} port ${r.port}: ${r.what}`,
  },
  {
    check: 'memory-type claims belong to live servers',
    sql: `SELECT c.domid, c.server_id FROM mem_type_claims c
          LEFT JOIN ioreq_servers s ON s.domid = c.domid AND s.id = c.server_id WHERE s.id IS NULL`,
    detail: (r) => `domain ${r.domid}'s ioreq_server claim names server ${r.server_id}, which does not exist`,
  },
  {
    check: 'pinned extents are aligned, contiguous and owned',
    sql: `SELECT x.domid, x.gpfn, x.mfn, x.ord FROM pinned_extents x WHERE x.gpfn % (1 << x.ord) != 0 OR x.mfn % (1 << x.ord) != 0
          OR (SELECT coalesce(sum(min(p.first_gfn + p.count, x.gpfn + (1 << x.ord)) - max(p.first_gfn, x.gpfn)), 0) FROM p2m p
              WHERE p.domid = x.domid AND p.first_gfn < x.gpfn + (1 << x.ord) AND p.first_gfn + p.count > x.gpfn
              AND p.first_mfn - p.first_gfn = x.mfn - x.gpfn) != (1 << x.ord)`,
    detail: (r) => `domain ${r.domid}'s extent at gpfn ${r.gpfn} (order ${r.ord}) is not mapped contiguously to mfn ${r.mfn}`,
  },
  {
    check: 'no frame is both free and owned, or owned twice',
    sql: `WITH r AS (SELECT first_mfn AS s, first_mfn + count AS e, 'free' AS who FROM free_mfns
                     UNION ALL SELECT first_mfn, first_mfn + count, 'domain ' || domid FROM p2m),
          o AS (SELECT s, e, who, lag(e) OVER (ORDER BY s, e) AS prev_e, lag(who) OVER (ORDER BY s, e) AS prev_who FROM r)
          SELECT s, prev_who, who FROM o WHERE prev_e > s`,
    detail: (r) => `frame ${r.s} belongs to ${r.prev_who} and to ${r.who}`,
  },
  {
    check: 'guest frames are mapped once, from 0 up',
    sql: `SELECT domid, first_gfn, prev_end FROM (SELECT domid, first_gfn,
            coalesce(lag(first_gfn + count) OVER (PARTITION BY domid ORDER BY first_gfn), 0) AS prev_end FROM p2m)
          WHERE first_gfn != prev_end`,
    detail: (r) => `domain ${r.domid}: a gap or overlap at gfn ${r.first_gfn} (previous range ends at ${r.prev_end})`,
  },
  {
    check: 'a dying domain is kept only by mappings of its grants',
    sql: `SELECT d.domid FROM domains d WHERE d.state = 'dying'
          AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.domid = d.domid AND g.pin_read + g.pin_write > 0)`,
    detail: (r) => `domain ${r.domid} is dying but nothing maps its grants`,
  },
  {
    check: 'rows belong to existing domains',
    sql: `SELECT 'grants' AS t, domid FROM grants WHERE domid NOT IN (SELECT domid FROM domains)
          UNION ALL SELECT 'gntdev_maps', domid FROM gntdev_maps WHERE domid NOT IN (SELECT domid FROM domains)
          UNION ALL SELECT 'evtchn', domid FROM evtchn WHERE domid NOT IN (SELECT domid FROM domains)
          UNION ALL SELECT 'ioreq_servers', domid FROM ioreq_servers WHERE domid NOT IN (SELECT domid FROM domains)
          UNION ALL SELECT 'p2m', domid FROM p2m WHERE domid NOT IN (SELECT domid FROM domains)`,
    detail: (r) => `${r.t} has rows of domain ${r.domid}, which does not exist`,
  },
];

export function checkHost(st: StateStore): Violation[] {
  const out: Violation[] = [];
  for (const c of CHECKS) {
    const rows = 'sql' in c ? st.all<Record<string, unknown>>(c.sql) : c.rows(st);
    for (const row of rows) out.push({ check: c.check, detail: c.detail(row) });
  }
  return out;
}

export const CHECK_NAMES = CHECKS.map((c) => c.check);
