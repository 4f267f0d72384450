/**
 * The emulator is its own toolstack: it creates and destroys domains. Domain ids are handed out
 * as Xen does, increasing and not reused at once; a destroyed domain whose grants others still
 * map stays dying until the last mapping goes.
 */
import { refused } from '../errors.js';
import type { DomainCreateOptions, DomainInfo } from '../backend/types.js';
import { domainRow, domainState, liveDomain, type DomainRow } from './domain-rows.js';
import { endAccessAndFree } from './grant-table.js';
import { seedGuestKernelPorts } from './evtchn.js';
import { insertDomainRow } from './host-layout.js';
import { DOMID_FIRST_RESERVED } from '../xen.js';
import { freeFrames } from './machine.js';
import { mapPages, removeMap, type MapRow } from './gntdev.js';
import type { StateStore } from './store.js';

export function toInfo(d: DomainRow): DomainInfo {
  return {
    domid: d.domid, name: d.name, type: d.type, hap: d.hap === 1,
    memory_kb: d.memory_kb, vcpus: d.vcpus, state: d.state === 'running' && d.paused ? 'paused' : d.state,
  };
}

export function createDomain(st: StateStore, o: DomainCreateOptions) {
  if (st.get('SELECT 1 FROM domains WHERE name = ?', o.name)) {
    throw refused('EEXIST', 'domain.create', `a domain named ${o.name} already exists`);
  }
  if (o.dm_target !== undefined && !liveDomain(st, o.dm_target)) {
    throw refused('ESRCH', 'domain.create', `no domain ${o.dm_target} to be the device model of`);
  }
  const domid = nextDomid(st);
  insertDomainRow(st, {
    domid, name: o.name, type: o.type, hap: o.type === 'pv' ? 0 : o.hap ? 1 : 0, memory_kb: o.memory_kb,
    vcpus: o.vcpus, max_grant_frames: o.max_grant_frames, max_evtchn_port: o.max_evtchn_port, dm_target: o.dm_target,
  });
  seedGuestKernelPorts(st, domid, o.vcpus, o.max_evtchn_port);
  const d = domainRow(st, domid)!;
  return { ...toInfo(d), max_grant_frames: d.max_grant_frames, max_evtchn_port: d.max_evtchn_port, dm_target: d.dm_target };
}

/** Xen's rover: the next id after the last one handed out, skipping ids in use, wrapping to 1. */
function nextDomid(st: StateStore): number {
  const rover = st.get<{ value: number }>(`SELECT value FROM meta WHERE key = 'next_domid'`)!.value;
  let id = rover;
  for (let tries = 0; tries < DOMID_FIRST_RESERVED; tries++) {
    if (id >= DOMID_FIRST_RESERVED || id < 1) id = 1;
    if (!st.get('SELECT 1 FROM domains WHERE domid = ?', id)) {
      st.run(`UPDATE meta SET value = ? WHERE key = 'next_domid'`, id + 1);
      return id;
    }
    id++;
  }
  throw refused('ENOSPC', 'domain.create', 'no free domain id left');
}

export function listDomains(st: StateStore): DomainInfo[] {
  return st.all<DomainRow>('SELECT * FROM domains ORDER BY domid').map(toInfo);
}

/**
 * Tears the domain down as domain_kill does: its own mappings are unmapped, its event channels
 * closed, its grants ended where nobody maps them. Grants still mapped elsewhere keep it dying.
 */
export function destroyDomain(st: StateStore, domid: number, closePorts: (domid: number) => void) {
  const d = domainRow(st, domid);
  if (!d) throw refused('ESRCH', 'domain.destroy', `no domain ${domid}`);
  if (domid === 0) throw refused('EPERM', 'domain.destroy', 'Domain-0 cannot be destroyed');
  if (d.state === 'running') {
    st.run(`UPDATE domains SET state = 'dying' WHERE domid = ?`, domid);
    for (const m of st.all<MapRow>('SELECT * FROM gntdev_maps WHERE domid = ?', domid)) {
      removeMap(st, m, mapPages(st, domid, m.page));
      reapIfIdle(st, m.granter);
    }
    closePorts(domid);
    for (const g of st.all<{ ref: number }>(
      'SELECT ref FROM grants WHERE domid = ? AND pin_read + pin_write = 0', domid)) {
      endAccessAndFree(st, domid, g.ref);
    }
    st.run('DELETE FROM gntalloc WHERE domid = ? AND ref NOT IN (SELECT ref FROM grants WHERE domid = ?)', domid, domid);
  }
  return { domid, state: reapIfIdle(st, domid) ? 'destroyed' as const : 'dying' as const };
}

/** A dying domain nobody maps any more is gone for good: its memory returns to the host. */
export function reapIfIdle(st: StateStore, domid: number): boolean {
  if (domainState(st, domid) !== 'dying') return false;
  if (st.get('SELECT 1 FROM grants WHERE domid = ? AND pin_read + pin_write > 0 LIMIT 1', domid)) return false;
  for (const r of st.all<{ first_mfn: number; count: number }>('SELECT first_mfn, count FROM p2m WHERE domid = ?', domid)) {
    freeFrames(st, r.first_mfn, r.count);
  }
  for (const table of ['p2m', 'grants', 'grant_free', 'gntalloc', 'gntdev_maps', 'gntdev_pages', 'evtchn',
    'evtchn_ring', 'ioreq_servers', 'mem_type_claims', 'pinned_extents', 'domains']) {
    st.run(`DELETE FROM ${table} WHERE domid = ?`, domid);
  }
  return true;
}
