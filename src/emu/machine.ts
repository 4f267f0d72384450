/**
 * Machine memory of the emulated host: free frames kept as ranges, guest frames mapped to
 * machine frames through p2m ranges, and page contents stored only for pages that are not all
 * zeros. Granted and mapped pages are the same machine frame on both sides, so bytes written
 * through one side are read through the other.
 */
import { refused } from '../errors.js';
import { PAGE_SIZE } from '../xen.js';
import type { StateStore } from './store.js';

/** A virtually contiguous run of pages: its length, and page k's machine frame (looked up when touched). */
export interface PageRun { pages: number; frame(k: number): number }

type Extent = [firstMfn: number, count: number];

export function allocFramesFromTop(st: StateStore, pages: number, op: string): Extent[] {
  const plan: Extent[] = [];
  let need = pages;
  for (const r of st.all<{ first_mfn: number; count: number }>(
    'SELECT first_mfn, count FROM free_mfns ORDER BY first_mfn DESC')) {
    if (need === 0) break;
    const take = Math.min(need, r.count);
    if (take === r.count) st.run('DELETE FROM free_mfns WHERE first_mfn = ?', r.first_mfn);
    else st.run('UPDATE free_mfns SET count = ? WHERE first_mfn = ?', r.count - take, r.first_mfn);
    plan.push([r.first_mfn + r.count - take, take]);
    need -= take;
  }
  if (need > 0) throw refused('ENOMEM', op, `not enough free host memory (${pages} pages asked)`);
  return plan;
}

/** Returns frames to the free pool, merged with their neighbours, and forgets their contents. */
export function freeFrames(st: StateStore, first: number, count: number): void {
  st.run('DELETE FROM frames WHERE mfn >= ? AND mfn < ?', first, first + count);
  let start = first;
  let len = count;
  const before = st.get<{ first_mfn: number; count: number }>(
    'SELECT first_mfn, count FROM free_mfns WHERE first_mfn < ? ORDER BY first_mfn DESC LIMIT 1', first);
  if (before && before.first_mfn + before.count === first) {
    st.run('DELETE FROM free_mfns WHERE first_mfn = ?', before.first_mfn);
    start = before.first_mfn;
    len += before.count;
  }
  const after = st.get<{ count: number }>('SELECT count FROM free_mfns WHERE first_mfn = ?', first + count);
  if (after) {
    st.run('DELETE FROM free_mfns WHERE first_mfn = ?', first + count);
    len += after.count;
  }
  st.run('INSERT INTO free_mfns (first_mfn, count) VALUES (?, ?)', start, len);
}

export interface P2mRange { first_gfn: number; count: number; first_mfn: number; type: string }

export function p2mRangeOf(st: StateStore, domid: number, gfn: number): P2mRange | undefined {
  const r = st.get<P2mRange>(
    'SELECT first_gfn, count, first_mfn, type FROM p2m WHERE domid = ? AND first_gfn <= ? ORDER BY first_gfn DESC LIMIT 1',
    domid, gfn);
  return r && gfn < r.first_gfn + r.count ? r : undefined;
}

export function gfnToMfn(st: StateStore, domid: number, gfn: number): number | undefined {
  const r = p2mRangeOf(st, domid, gfn);
  return r ? r.first_mfn + (gfn - r.first_gfn) : undefined;
}

export function domainPages(st: StateStore, domid: number): number {
  return st.get<{ n: number }>('SELECT coalesce(sum(count), 0) AS n FROM p2m WHERE domid = ?', domid)!.n;
}

export function zeroFrame(st: StateStore, mfn: number): void {
  st.run('DELETE FROM frames WHERE mfn = ?', mfn);
}

/** Reads `length` bytes at `offset` of a virtually contiguous run of pages. */
export function readFrames(st: StateStore, run: PageRun, offset: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const pos = offset + done;
    const page = Math.floor(pos / PAGE_SIZE);
    const inPage = pos % PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - inPage, length - done);
    const row = st.get<{ data: Buffer }>('SELECT substr(data, ?, ?) AS data FROM frames WHERE mfn = ?', inPage + 1, n, run.frame(page));
    if (row) row.data.copy(out, done);
    done += n;
  }
  return out;
}

const ZERO_PAGE = Buffer.alloc(PAGE_SIZE);

/**
 * A stored page with bytes replaced at an offset. `||` joins blobs as text, byte for byte in a
 * UTF-8 database (every state file is: SQLite's default, and xgt creates them); the cast makes
 * the result a blob again.
 */
const SPLICE = 'UPDATE frames SET data = CAST(substr(data, 1, ?) || ? || substr(data, ?) AS BLOB) WHERE mfn = ?';

function allZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

export function writeFrames(st: StateStore, run: PageRun, offset: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) {
    const pos = offset + done;
    const page = Math.floor(pos / PAGE_SIZE);
    const inPage = pos % PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - inPage, data.length - done);
    const mfn = run.frame(page);
    const bytes = data.subarray(done, done + n);
    // bytes that are not all zeros cannot leave the page all zeros: a stored page takes them where
    // it lies, without its 4 KiB going to JavaScript and back
    if (!allZero(bytes) && st.run(SPLICE, inPage, bytes, inPage + n + 1, mfn).changes === 1) {
      done += n;
      continue;
    }
    // SQLite hands out a Buffer of its own: it is changed in place
    const stored = st.get<{ data: Buffer }>('SELECT data FROM frames WHERE mfn = ?', mfn)?.data;
    const buf = stored ?? Buffer.alloc(PAGE_SIZE);
    buf.set(bytes, inPage);
    if (buf.equals(ZERO_PAGE)) st.run('DELETE FROM frames WHERE mfn = ?', mfn);
    // an UPDATE of a blob of the same size rewrites only the database pages whose bytes changed
    // (a REPLACE deletes and inserts the row: both of its pages), and a commit writes each page it dirtied
    else if (stored) st.run('UPDATE frames SET data = ? WHERE mfn = ?', buf, mfn);
    else st.run('INSERT INTO frames (mfn, data) VALUES (?, ?)', mfn, buf);
    done += n;
  }
}
