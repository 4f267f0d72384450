/**
 * A domain's p2m kept as ranges (gfn → mfn, with a p2m type), never one row per page: ranges
 * are split where an operation's window starts and ends, changed whole, and merged back with
 * their neighbours when they line up again.
 */
import { p2mRangeOf, type P2mRange } from './machine.js';
import type { StateStore } from './store.js';

export type P2mRow = P2mRange;

/** Makes `gfn` the start of a range (if it lies inside one). */
export function splitAt(st: StateStore, domid: number, gfn: number): void {
  const r = p2mRangeOf(st, domid, gfn);
  if (!r || r.first_gfn === gfn) return;
  const head = gfn - r.first_gfn;
  st.run('UPDATE p2m SET count = ? WHERE domid = ? AND first_gfn = ?', head, domid, r.first_gfn);
  st.run('INSERT INTO p2m (domid, first_gfn, count, first_mfn, type) VALUES (?, ?, ?, ?, ?)',
    domid, gfn, r.count - head, r.first_mfn + head, r.type);
}

/** The ranges covering [first, first + count), split so that they lie exactly inside it. */
export function rangesIn(st: StateStore, domid: number, first: number, count: number): P2mRow[] {
  splitAt(st, domid, first);
  splitAt(st, domid, first + count);
  return st.all<P2mRow>(
    'SELECT first_gfn, count, first_mfn, type FROM p2m WHERE domid = ? AND first_gfn >= ? AND first_gfn < ? ORDER BY first_gfn',
    domid, first, first + count);
}

/** Merges the ranges around [first, first + count) that are contiguous in both spaces and of one type. */
export function mergeAround(st: StateStore, domid: number, first: number, count: number): void {
  const rows = st.all<P2mRow>(
    `SELECT first_gfn, count, first_mfn, type FROM p2m WHERE domid = ? AND first_gfn + count >= ? AND first_gfn <= ?
     ORDER BY first_gfn`, domid, first, first + count);
  let cur = rows[0];
  for (const next of rows.slice(1)) {
    if (cur.first_gfn + cur.count === next.first_gfn && cur.first_mfn + cur.count === next.first_mfn && cur.type === next.type) {
      st.run('DELETE FROM p2m WHERE domid = ? AND first_gfn = ?', domid, next.first_gfn);
      cur = { ...cur, count: cur.count + next.count };
      st.run('UPDATE p2m SET count = ? WHERE domid = ? AND first_gfn = ?', cur.count, domid, cur.first_gfn);
    } else {
      cur = next;
    }
  }
}

export function setType(st: StateStore, domid: number, first: number, count: number, type: string): void {
  rangesIn(st, domid, first, count);
  st.run('UPDATE p2m SET type = ? WHERE domid = ? AND first_gfn >= ? AND first_gfn < ?', type, domid, first, first + count);
  mergeAround(st, domid, first, count);
}

export function pagesOfType(st: StateStore, domid: number, type: string): number {
  return st.get<{ n: number }>('SELECT coalesce(sum(count), 0) AS n FROM p2m WHERE domid = ? AND type = ?', domid, type)!.n;
}

/** Every page of `from` type becomes `to` (disclaiming the ioreq_server type resets its pages). */
export function retypeAll(st: StateStore, domid: number, from: string, to: string): void {
  for (const r of st.all<P2mRow>('SELECT first_gfn, count, first_mfn, type FROM p2m WHERE domid = ? AND type = ?', domid, from)) {
    setType(st, domid, r.first_gfn, r.count, to);
  }
}
