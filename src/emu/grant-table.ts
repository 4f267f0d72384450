/**
 * The hypervisor's grant table (docs/XEN-RULES.md: grant table) and the guest kernel's allocator of grant
 * references (Linux grant-table.c), over the state file: the rules are in rules/grant-table.ts.
 */
import { refused } from '../errors.js';
import { GNTST_BAD_PAGE } from '../xen.js';
import type { DomainRow } from './domain-rows.js';
import { gfnToMfn } from './machine.js';
import { copyRefusal, entryFlags, mapRefusal, takeRef } from './rules/grant-table.js';
import type { StateStore } from './store.js';

export { inUse } from './rules/grant-table.js';

export interface GrantRow {
  domid: number; ref: number; flags: number; to_domid: number; gfn: number; pin_read: number; pin_write: number;
}

export function grantRow(st: StateStore, domid: number, ref: number): GrantRow | undefined {
  return q.entry(st, domid, ref);
}

/** Takes a free grant reference of `d`'s kernel; ENOSPC when the table is full and cannot grow. */
export function allocRef(st: StateStore, d: DomainRow, op: string): number {
  const top = q.freeTop(st, d.domid);
  const row = q.table(st, d.domid);
  const got = takeRef({ freeTop: top?.ref, nextUnused: row.gnt_next_unused, nrFrames: row.nr_grant_frames, maxFrames: d.max_grant_frames });
  if (got === 'full') {
    throw refused('ENOSPC', op, `domain ${d.domid}'s grant table is full (max_grant_frames ${d.max_grant_frames} reached)`);
  }
  if (got.reused) q.dropFree(st, d.domid, top!.pos);
  else q.setTable(st, d.domid, got.nrFrames, got.ref + 1);
  return got.ref;
}

export function writeGrantEntry(st: StateStore, domid: number, ref: number, to: number, gfn: number, readonly: boolean): void {
  q.insertEntry(st, domid, ref, entryFlags(readonly), to, gfn);
}

/**
 * A grant the domain's kernel makes itself, as a frontend driver does (no gntalloc run): a free
 * ref of its table now grants page `gfn` to `to`. EINVAL for a page the domain does not have.
 */
export function grantPage(st: StateStore, d: DomainRow, to: number, gfn: number, readonly: boolean, op: string): number {
  if (gfnToMfn(st, d.domid, gfn) === undefined) throw refused('EINVAL', op, `domain ${d.domid} has no page ${gfn}`);
  const ref = allocRef(st, d, op);
  writeGrantEntry(st, d.domid, ref, to, gfn, readonly);
  return ref;
}

/** Ends foreign access (the entry must be unpinned) and puts the ref on top of the free list. */
export function endAccessAndFree(st: StateStore, domid: number, ref: number): void {
  q.deleteEntry(st, domid, ref);
  q.pushFree(st, domid, ref);
}

/** What the map and copy rules read of the granting domain. */
type GranterRow = Pick<DomainRow, 'state' | 'nr_grant_frames'>;

/** The granter and its entry `ref` as the map and copy rules take them (nothing of a granter that is not running). */
function grantAsSeen(st: StateStore, granterRow: GranterRow | undefined, granter: number, ref: number) {
  const live = granterRow && granterRow.state === 'running' ? granterRow : undefined;
  const g = live ? q.entry(st, granter, ref) : undefined;
  const seen = {
    granterId: granter, granter: live && { domid: granter, nrFrames: live.nr_grant_frames }, ref,
    entry: g && { flags: g.flags, to: g.to_domid, pinRead: g.pin_read, pinWrite: g.pin_write },
  };
  return { g, seen };
}

/**
 * GNTTABOP_map_grant_ref for one ref (the checks: rules/grant-table.ts, mapRefusal). On success
 * the entry is pinned (GTF_reading, and GTF_writing when writable) and the machine frame is
 * returned; on failure an EINVAL carrying the GNTST code, as gntdev's mmap reports it.
 * `granterRow` is the granting domain's row as read for this mapping.
 */
export function pinForMap(st: StateStore, op: string, mapper: number, granterRow: GranterRow | undefined, granter: number,
  ref: number, readonly: boolean, maptrackInUse: number): number {
  const { g, seen } = grantAsSeen(st, granterRow, granter, ref);
  const refusal = mapRefusal({ mapper, ...seen, maptrackInUse, readonly });
  if (refusal) throw refused('EINVAL', op, `mapping grant ref ${ref} of domain ${granter} failed: ${refusal.why}`, { gntst: refusal.gntst });
  const mfn = gfnToMfn(st, g!.domid, g!.gfn);
  if (mfn === undefined) {
    throw refused('EINVAL', op, `grant ref ${ref} names frame ${g!.gfn}, which domain ${granter} does not have`, { gntst: GNTST_BAD_PAGE });
  }
  q.pin(st, granter, ref, readonly, +1);
  return mfn;
}

/**
 * GNTTABOP_copy's checks for one segment through `granter`'s grant `ref` (rules/grant-table.ts,
 * copyRefusal): the machine frame to copy through, or undefined for an empty copy; a refusal is
 * an EINVAL carrying the GNTST code. Xen pins the entry only for the copy itself.
 */
export function frameForCopy(st: StateStore, op: string, copier: number, granterRow: GranterRow | undefined, granter: number,
  ref: number, intoGrant: boolean, offset: number, length: number): number | undefined {
  const { g, seen } = grantAsSeen(st, granterRow, granter, ref);
  const mfn = g && gfnToMfn(st, g.domid, g.gfn);
  const refusal = copyRefusal({ copier, ...seen, intoGrant, offset, length, badFrame: mfn === undefined });
  if (refusal) {
    throw refused('EINVAL', op, `copying ${intoGrant ? 'into' : 'out of'} grant ref ${ref} of domain ${granter} failed: ${refusal.why}`,
      { gntst: refusal.gntst });
  }
  return length === 0 ? undefined : mfn;
}

/** Every entry of `domid`'s table that permits access, in ref order. */
export function entriesOf(st: StateStore, domid: number): GrantRow[] {
  return q.entriesOf(st, domid);
}

/** Drops one pin. */
export function unpin(st: StateStore, granter: number, ref: number, readonly: boolean): void {
  q.pin(st, granter, ref, readonly, -1);
}

/** The state file's side of the grant table: one named query each. */
const q = {
  entry: (st: StateStore, domid: number, ref: number) =>
    st.get<GrantRow>('SELECT * FROM grants WHERE domid = ? AND ref = ?', domid, ref),
  insertEntry: (st: StateStore, domid: number, ref: number, flags: number, to: number, gfn: number) =>
    st.run('INSERT INTO grants (domid, ref, flags, to_domid, gfn) VALUES (?, ?, ?, ?, ?)', domid, ref, flags, to, gfn),
  entriesOf: (st: StateStore, domid: number) => st.all<GrantRow>('SELECT * FROM grants WHERE domid = ? ORDER BY ref', domid),
  deleteEntry: (st: StateStore, domid: number, ref: number) => st.run('DELETE FROM grants WHERE domid = ? AND ref = ?', domid, ref),
  pin: (st: StateStore, domid: number, ref: number, readonly: boolean, by: 1 | -1) => st.run(readonly
    ? 'UPDATE grants SET pin_read = pin_read + ? WHERE domid = ? AND ref = ?'
    : 'UPDATE grants SET pin_write = pin_write + ? WHERE domid = ? AND ref = ?', by, domid, ref),
  table: (st: StateStore, domid: number) => st.get<{ nr_grant_frames: number; gnt_next_unused: number }>(
    'SELECT nr_grant_frames, gnt_next_unused FROM domains WHERE domid = ?', domid)!,
  setTable: (st: StateStore, domid: number, frames: number, nextUnused: number) =>
    st.run('UPDATE domains SET nr_grant_frames = ?, gnt_next_unused = ? WHERE domid = ?', frames, nextUnused, domid),
  freeTop: (st: StateStore, domid: number) =>
    st.get<{ pos: number; ref: number }>('SELECT pos, ref FROM grant_free WHERE domid = ? ORDER BY pos DESC LIMIT 1', domid),
  dropFree: (st: StateStore, domid: number, pos: number) => st.run('DELETE FROM grant_free WHERE domid = ? AND pos = ?', domid, pos),
  pushFree: (st: StateStore, domid: number, ref: number) => st.run(
    'INSERT INTO grant_free (domid, pos, ref) VALUES (?, coalesce((SELECT max(pos) FROM grant_free WHERE domid = ?), 0) + 1, ?)',
    domid, domid, ref),
};
