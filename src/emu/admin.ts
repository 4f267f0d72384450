/**
 * Whole-host operations on the state file: reset to a fresh host, and a JSON export/import that
 * round-trips every table (page contents as base64), so a host can be saved, diffed and loaded.
 */
import { usage } from '../errors.js';
import { seedHost } from './host-layout.js';
import { RECOUNT_USAGE, SCHEMA_VERSION, UPGRADES } from './schema.js';
import { recountGaps } from './gntdev.js';
import type { StateStore } from './store.js';

export const EXPORT_FORMAT = 'xgt-emu-state';

export const TABLES = ['meta', 'domains', 'p2m', 'free_mfns', 'frames', 'grants', 'grant_free', 'gntalloc', 'gntdev_maps',
  'gntdev_pages', 'evtchn', 'evtchn_ring', 'ioreq_servers', 'mem_type_claims', 'pinned_extents', 'faults'] as const;

export interface StateExport {
  format: typeof EXPORT_FORMAT;
  version: number;
  tables: Record<string, Record<string, unknown>[]>;
}

export function resetHost(st: StateStore): void {
  for (const t of TABLES) st.run(`DELETE FROM ${t}`);
  seedHost(st);
}

export function exportHost(st: StateStore): StateExport {
  const tables: StateExport['tables'] = {};
  for (const t of TABLES) {
    tables[t] = st.all<Record<string, unknown>>(`SELECT * FROM ${t}`).map((row) => {
      if (t === 'frames') return { mfn: row.mfn, data: (row.data as Buffer).toString('base64') };
      return row;
    });
  }
  return { format: EXPORT_FORMAT, version: SCHEMA_VERSION, tables };
}

function columns(st: StateStore, table: string): string[] {
  return st.all<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`).map((c) => c.name);
}

/** Replaces the whole host with `doc`; the caller runs it in one transaction. */
export function importHost(st: StateStore, doc: unknown): { domains: number } {
  const op = 'emu.import';
  const d = doc as StateExport;
  if (!d || typeof d !== 'object' || d.format !== EXPORT_FORMAT) throw usage(op, 'not an xgt state export (format field missing)');
  // an export of an older schema differs only in what an upgrade derives again below
  if (d.version !== SCHEMA_VERSION && !(typeof d.version === 'number' && d.version < SCHEMA_VERSION && UPGRADES[d.version])) {
    throw usage(op, `export version ${String(d.version)} is not this xgt's (${SCHEMA_VERSION})`);
  }
  if (!d.tables || typeof d.tables !== 'object') throw usage(op, 'export has no tables');
  for (const name of Object.keys(d.tables)) {
    if (!(TABLES as readonly string[]).includes(name)) throw usage(op, `unknown table ${name} in export`);
  }
  for (const t of TABLES) st.run(`DELETE FROM ${t}`);
  for (const t of TABLES) {
    const rows = d.tables[t] ?? [];
    if (!Array.isArray(rows)) throw usage(op, `table ${t} is not a list`);
    const cols = columns(st, t);
    for (const row of rows) {
      if (!row || typeof row !== 'object') throw usage(op, `a row of ${t} is not an object`);
      const keys = Object.keys(row);
      const bad = keys.find((k) => !cols.includes(k));
      if (bad) throw usage(op, `unknown column ${t}.${bad}`);
      const values = keys.map((k) => {
        const v = row[k];
        if (t === 'frames' && k === 'data') {
          const buf = typeof v === 'string' ? Buffer.from(v, 'base64') : null;
          if (!buf || buf.length !== 4096) throw usage(op, 'frames.data must be 4096 bytes of base64');
          return buf;
        }
        if (v !== null && typeof v !== 'number' && typeof v !== 'string') throw usage(op, `bad value in ${t}.${k}`);
        return v;
      });
      try {
        st.db.prepare(`INSERT INTO ${t} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`).run(...values);
      } catch (e) {
        throw usage(op, `row of ${t} rejected: ${(e as Error).message}`);
      }
    }
  }
  if (!st.get(`SELECT 1 FROM domains WHERE domid = 0 AND state = 'running'`)) throw usage(op, 'export has no Domain-0');
  // derived from the rows, never taken from the file (the triggers counted the rows as they came
  // in, on top of the counts the domains' rows brought)
  recountGaps(st);
  st.run(RECOUNT_USAGE);
  return { domains: st.get<{ n: number }>('SELECT count(*) AS n FROM domains')!.n };
}
