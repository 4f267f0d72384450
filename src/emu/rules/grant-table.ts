/**
 * The grant table's rules as plain functions (docs/XEN-RULES.md: grant table): which ref the guest kernel hands out
 * next, whether the hypervisor maps a ref (the checks of D.6, in their order), and what an
 * entry's pins say. No state file here: the callers read the rows and write the outcome.
 */
import {
  GNTST_BAD_COPY_ARG, GNTST_BAD_DOMAIN, GNTST_BAD_GNTREF, GNTST_BAD_PAGE, GNTST_GENERAL_ERROR, GNTST_NO_SPACE, GRANT_ENTRIES_PER_FRAME, GTF_PERMIT_ACCESS,
  GTF_READONLY, MAPTRACK_ENTRIES, PAGE_SIZE, PIN_COUNTER_MAX,
} from '../../xen.js';

/** A domain's grant table as the ref allocator sees it. */
export interface RefTable {
  /** the most recently freed ref, if any (Linux reuses it first) */
  freeTop: number | undefined;
  /** the lowest ref never handed out (refs 0-7 never are) */
  nextUnused: number;
  nrFrames: number;
  maxFrames: number;
}

/**
 * The next ref: the most recently freed one; else the next never used, growing the table by a
 * frame when it is full; `full` when it cannot grow any more.
 */
export function takeRef(t: RefTable): { ref: number; reused: boolean; nrFrames: number } | 'full' {
  if (t.freeTop !== undefined) return { ref: t.freeTop, reused: true, nrFrames: t.nrFrames };
  if (t.nextUnused < t.nrFrames * GRANT_ENTRIES_PER_FRAME) return { ref: t.nextUnused, reused: false, nrFrames: t.nrFrames };
  if (t.nrFrames >= t.maxFrames) return 'full';
  return { ref: t.nextUnused, reused: false, nrFrames: t.nrFrames + 1 };
}

export interface GrantEntry { flags: number; to: number; pinRead: number; pinWrite: number }

export interface MapAttempt {
  mapper: number;
  /** the granting domain: undefined when there is none, or it is dying */
  granter: { domid: number; nrFrames: number } | undefined;
  granterId: number;
  ref: number;
  /** maptrack handles the mapper holds already */
  maptrackInUse: number;
  /** the entry at `ref` (undefined: never written, or ended) */
  entry: GrantEntry | undefined;
  readonly: boolean;
}

/** Why the hypervisor refuses to map a ref: its GNTST code and what the user reads. */
export interface MapRefusal { gntst: number; why: string }

/** GNTTABOP_map_grant_ref's checks for one ref, in Xen's order (D.6); undefined when it maps. */
export function mapRefusal(a: MapAttempt): MapRefusal | undefined {
  if (!a.granter) return { gntst: GNTST_BAD_DOMAIN, why: `GNTST_bad_domain: no domain ${a.granterId}` };
  if (a.maptrackInUse >= MAPTRACK_ENTRIES) {
    return { gntst: GNTST_NO_SPACE, why: `GNTST_no_space: domain ${a.mapper} has no free maptrack handle (${MAPTRACK_ENTRIES} in use)` };
  }
  const entries = a.granter.nrFrames * GRANT_ENTRIES_PER_FRAME;
  if (a.ref >= entries) {
    return { gntst: GNTST_BAD_GNTREF, why: `GNTST_bad_gntref: ref ${a.ref} is beyond domain ${a.granterId}'s grant table (${entries} entries)` };
  }
  const g = a.entry;
  if (g && (g.pinRead >= PIN_COUNTER_MAX || g.pinWrite >= PIN_COUNTER_MAX)) {
    return { gntst: GNTST_GENERAL_ERROR, why: 'GNTST_general_error: pin count would overflow' };
  }
  if (!g || (g.flags & 0x3) !== GTF_PERMIT_ACCESS) {
    return { gntst: GNTST_GENERAL_ERROR, why: `GNTST_general_error: ref ${a.ref} is not granted` };
  }
  if (g.to !== a.mapper) {
    return { gntst: GNTST_GENERAL_ERROR, why: `GNTST_general_error: ref ${a.ref} is granted to domain ${g.to}, not ${a.mapper}` };
  }
  if (!a.readonly && g.flags & GTF_READONLY) {
    return { gntst: GNTST_GENERAL_ERROR, why: `GNTST_general_error: ref ${a.ref} is granted read-only and the mapping asks for write` };
  }
  return undefined;
}

export interface CopyAttempt {
  copier: number;
  /** the granting domain: undefined when there is none, or it is dying */
  granter: { domid: number; nrFrames: number } | undefined;
  granterId: number;
  ref: number;
  entry: GrantEntry | undefined;
  /** the grant is the copy's destination */
  intoGrant: boolean;
  /** the entry's frame is not a page the granter has */
  badFrame: boolean;
  offset: number;
  length: number;
}

/**
 * GNTTABOP_copy's checks for the grant side of one segment, in Xen's order (D.8): an empty copy
 * is done before anything is looked at, and the page bounds only once the grant has passed.
 * undefined when it copies.
 */
export function copyRefusal(a: CopyAttempt): MapRefusal | undefined {
  if (a.length === 0) return undefined;
  if (!a.granter) return { gntst: GNTST_BAD_DOMAIN, why: `GNTST_bad_domain: no domain ${a.granterId}` };
  const entries = a.granter.nrFrames * GRANT_ENTRIES_PER_FRAME;
  if (a.ref >= entries) {
    return { gntst: GNTST_BAD_GNTREF, why: `GNTST_bad_gntref: ref ${a.ref} is beyond domain ${a.granterId}'s grant table (${entries} entries)` };
  }
  const g = a.entry;
  if (!g || (g.flags & 0x3) !== GTF_PERMIT_ACCESS) {
    return { gntst: GNTST_GENERAL_ERROR, why: `GNTST_general_error: ref ${a.ref} is not granted` };
  }
  if (g.to !== a.copier) {
    return { gntst: GNTST_GENERAL_ERROR, why: `GNTST_general_error: ref ${a.ref} is granted to domain ${g.to}, not ${a.copier}` };
  }
  if (a.intoGrant && g.flags & GTF_READONLY) {
    return { gntst: GNTST_GENERAL_ERROR, why: `GNTST_general_error: ref ${a.ref} is granted read-only and cannot be copied into` };
  }
  if (a.badFrame) return { gntst: GNTST_BAD_PAGE, why: `GNTST_bad_page: ref ${a.ref} names a frame domain ${a.granterId} does not have` };
  if (a.offset + a.length > PAGE_SIZE) {
    return { gntst: GNTST_BAD_COPY_ARG, why: `GNTST_bad_copy_arg: offset ${a.offset} + length ${a.length} crosses the page (${PAGE_SIZE} bytes)` };
  }
  return undefined;
}

/** An entry's flags as the granter writes them. */
export const entryFlags = (readonly: boolean) => GTF_PERMIT_ACCESS | (readonly ? GTF_READONLY : 0);

/** GTF_reading / GTF_writing as `gnttab list` shows them: set while a pin of that kind is held. */
export function inUse(pins: { pin_read: number; pin_write: number }): '-' | 'r' | 'rw' {
  return pins.pin_write > 0 ? 'rw' : pins.pin_read > 0 ? 'r' : '-';
}
