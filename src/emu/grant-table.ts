/**
 * The hypervisor's grant table (XEN-FACTS D) and the guest kernel's allocator of grant
 * references (Linux grant-table.c): refs 0-7 are never handed out, freed refs are reused most
 * recently freed first, and the table grows a frame at a time up to max_grant_frames.
 */
import { refused } from '../errors.js';
import { GNTST_BAD_DOMAIN, GNTST_BAD_GNTREF, GNTST_BAD_PAGE, GNTST_GENERAL_ERROR, GNTST_NO_SPACE } from '../xen.js';
import { domainRow, type DomainRow } from './domain-rows.js';
import {
  GRANT_ENTRIES_PER_FRAME, GTF_PERMIT_ACCESS, GTF_READONLY, MAPTRACK_ENTRIES, PIN_COUNTER_MAX,
} from '../xen.js';
import { gfnToMfn } from './machine.js';
import type { StateStore } from './store.js';

export interface GrantRow {
  domid: number; ref: number; flags: number; to_domid: number; gfn: number; pin_read: number; pin_write: number;
}

export function grantRow(st: StateStore, domid: number, ref: number): GrantRow | undefined {
  return st.get<GrantRow>('SELECT * FROM grants WHERE domid = ? AND ref = ?', domid, ref);
}

/** Takes a free grant reference of `d`'s kernel; ENOSPC when the table is full and cannot grow. */
export function allocRef(st: StateStore, d: DomainRow, op: string): number {
  const top = st.get<{ pos: number; ref: number }>(
    'SELECT pos, ref FROM grant_free WHERE domid = ? ORDER BY pos DESC LIMIT 1', d.domid);
  if (top) {
    st.run('DELETE FROM grant_free WHERE domid = ? AND pos = ?', d.domid, top.pos);
    return top.ref;
  }
  const row = st.get<{ nr_grant_frames: number; gnt_next_unused: number }>(
    'SELECT nr_grant_frames, gnt_next_unused FROM domains WHERE domid = ?', d.domid)!;
  let frames = row.nr_grant_frames;
  const ref = row.gnt_next_unused;
  if (ref >= frames * GRANT_ENTRIES_PER_FRAME) {
    if (frames >= d.max_grant_frames) {
      throw refused('ENOSPC', op,
        `domain ${d.domid}'s grant table is full (max_grant_frames ${d.max_grant_frames} reached)`);
    }
    frames += 1;
  }
  st.run('UPDATE domains SET nr_grant_frames = ?, gnt_next_unused = ? WHERE domid = ?', frames, ref + 1, d.domid);
  return ref;
}

export function writeGrantEntry(st: StateStore, domid: number, ref: number, to: number, gfn: number, readonly: boolean): void {
  st.run('INSERT INTO grants (domid, ref, flags, to_domid, gfn) VALUES (?, ?, ?, ?, ?)',
    domid, ref, GTF_PERMIT_ACCESS | (readonly ? GTF_READONLY : 0), to, gfn);
}

/** Ends foreign access (the entry must be unpinned) and puts the ref on top of the free list. */
export function endAccessAndFree(st: StateStore, domid: number, ref: number): void {
  st.run('DELETE FROM grants WHERE domid = ? AND ref = ?', domid, ref);
  const top = st.get<{ pos: number }>('SELECT max(pos) AS pos FROM grant_free WHERE domid = ?', domid)!;
  st.run('INSERT INTO grant_free (domid, pos, ref) VALUES (?, ?, ?)', domid, (top.pos ?? 0) + 1, ref);
}

export function inUse(g: Pick<GrantRow, 'pin_read' | 'pin_write'>): '-' | 'r' | 'rw' {
  return g.pin_write > 0 ? 'rw' : g.pin_read > 0 ? 'r' : '-';
}

function mapFailure(op: string, status: number, ref: number, granter: number, why: string) {
  return refused('EINVAL', op, `mapping grant ref ${ref} of domain ${granter} failed: ${why}`, { gntst: status });
}

/**
 * GNTTABOP_map_grant_ref for one ref, with the hypervisor's checks in their order (XEN-FACTS
 * D.6). On success the entry is pinned (GTF_reading, and GTF_writing when writable) and the
 * machine frame is returned; on failure an EINVAL carrying the GNTST code, as gntdev's mmap
 * reports it.
 */
export function pinForMap(st: StateStore, op: string, mapper: number, granter: number, ref: number,
  readonly: boolean, maptrackInUse: number): number {
  const rd = domainRow(st, granter);
  if (!rd || rd.state !== 'running') {
    throw mapFailure(op, GNTST_BAD_DOMAIN, ref, granter, `GNTST_bad_domain: no domain ${granter}`);
  }
  if (maptrackInUse >= MAPTRACK_ENTRIES) {
    throw mapFailure(op, GNTST_NO_SPACE, ref, granter,
      `GNTST_no_space: domain ${mapper} has no free maptrack handle (${MAPTRACK_ENTRIES} in use)`);
  }
  if (ref >= rd.nr_grant_frames * GRANT_ENTRIES_PER_FRAME) {
    throw mapFailure(op, GNTST_BAD_GNTREF, ref, granter,
      `GNTST_bad_gntref: ref ${ref} is beyond domain ${granter}'s grant table (${rd.nr_grant_frames * GRANT_ENTRIES_PER_FRAME} entries)`);
  }
  const g = grantRow(st, granter, ref);
  if (g && (g.pin_read >= PIN_COUNTER_MAX || g.pin_write >= PIN_COUNTER_MAX)) {
    throw mapFailure(op, GNTST_GENERAL_ERROR, ref, granter, 'GNTST_general_error: pin count would overflow');
  }
  if (!g || (g.flags & 0x3) !== GTF_PERMIT_ACCESS) {
    throw mapFailure(op, GNTST_GENERAL_ERROR, ref, granter, `GNTST_general_error: ref ${ref} is not granted`);
  }
  if (g.to_domid !== mapper) {
    throw mapFailure(op, GNTST_GENERAL_ERROR, ref, granter,
      `GNTST_general_error: ref ${ref} is granted to domain ${g.to_domid}, not ${mapper}`);
  }
  if (!readonly && g.flags & GTF_READONLY) {
    throw mapFailure(op, GNTST_GENERAL_ERROR, ref, granter,
      `GNTST_general_error: ref ${ref} is granted read-only and the mapping asks for write`);
  }
  const mfn = frameOfGrant(st, g);
  st.run(`UPDATE grants SET ${readonly ? 'pin_read = pin_read + 1' : 'pin_write = pin_write + 1'}
    WHERE domid = ? AND ref = ?`, granter, ref);
  return mfn;
}

function frameOfGrant(st: StateStore, g: GrantRow): number {
  const mfn = gfnToMfn(st, g.domid, g.gfn);
  if (mfn === undefined) {
    throw refused('EINVAL', 'gnttab.map', `grant ref ${g.ref} names frame ${g.gfn}, which domain ${g.domid} does not have`,
      { gntst: GNTST_BAD_PAGE });
  }
  return mfn;
}

/** Drops one pin; returns the entry as it is afterwards. */
export function unpin(st: StateStore, granter: number, ref: number, readonly: boolean): GrantRow | undefined {
  st.run(`UPDATE grants SET ${readonly ? 'pin_read = pin_read - 1' : 'pin_write = pin_write - 1'}
    WHERE domid = ? AND ref = ?`, granter, ref);
  return grantRow(st, granter, ref);
}
