/** Reading domain rows, shared by every emulator module. */
import { refused } from '../errors.js';
import type { StateStore } from './store.js';

export interface DomainRow {
  domid: number;
  name: string;
  type: 'pv' | 'pvh' | 'hvm';
  hap: number;
  memory_kb: number;
  vcpus: number;
  state: 'running' | 'dying';
  /** paused by the toolstack (a captured host's domains only) */
  paused: number;
  max_grant_frames: number;
  max_evtchn_port: number;
  nr_grant_frames: number;
  gnt_next_unused: number;
  gntalloc_next_page: number;
  dm_target: number | null;
  gntalloc_limit: number;
  gntdev_limit: number;
  /** gntdev pages it maps, and grants its gntalloc device holds (kept by triggers: schema.ts) */
  maptrack_used: number;
  gntalloc_used: number;
}

export function domainRow(st: StateStore, domid: number): DomainRow | undefined {
  return st.get<DomainRow>('SELECT * FROM domains WHERE domid = ?', domid);
}

/** What mapping and copying grants read of the two domains: a row's cost grows with its columns. */
export type GrantingRow = Pick<DomainRow, 'domid' | 'state' | 'nr_grant_frames' | 'gntdev_limit' | 'maptrack_used'>;

export function grantingRow(st: StateStore, domid: number): GrantingRow | undefined {
  return st.get<GrantingRow>('SELECT domid, state, nr_grant_frames, gntdev_limit, maptrack_used FROM domains WHERE domid = ?', domid);
}

export function domainState(st: StateStore, domid: number): DomainRow['state'] | undefined {
  return st.get<Pick<DomainRow, 'state'>>('SELECT state FROM domains WHERE domid = ?', domid)?.state;
}

/** The acting domain's row; ESRCH when it no longer runs. */
export function requireLive(st: StateStore, domid: number, op: string): DomainRow {
  const d = liveDomain(st, domid);
  if (!d) throw refused('ESRCH', op, `no domain ${domid}`);
  return d;
}

export function liveDomain(st: StateStore, domid: number): DomainRow | undefined {
  const d = domainRow(st, domid);
  return d && d.state === 'running' ? d : undefined;
}
