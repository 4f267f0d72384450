/**
 * The shape of a fresh emulated host: how much machine memory it has and what Domain-0 looks
 * like. Numbers follow a small real host (and the xen-vm kit's dom0) so that limits bite where
 * they would on real Xen.
 */
import type { StateStore } from './store.js';
import { allocFramesFromTop } from './machine.js';
import { seedKernelPorts } from './evtchn.js';
import { GNTTAB_NR_RESERVED_ENTRIES } from '../xen.js';

/** 16 GiB of machine memory */
export const HOST_FRAMES = 4 * 1024 * 1024;
/** frames below this belong to Xen itself and are never handed to a domain */
export const XEN_RESERVED_FRAMES = 0x100;
export const XEN_VERSION = '4.17.0-emu';

export const DOM0 = {
  domid: 0,
  name: 'Domain-0',
  type: 'pv',
  hap: 0,
  memory_kb: 2 * 1024 * 1024,
  vcpus: 1,
  max_grant_frames: 64,
  max_evtchn_port: 131071,
} as const;

export function seedHost(st: StateStore): void {
  st.run('INSERT INTO free_mfns (first_mfn, count) VALUES (?, ?)', XEN_RESERVED_FRAMES, HOST_FRAMES - XEN_RESERVED_FRAMES);
  st.run(`INSERT INTO meta (key, value) VALUES ('next_domid', 1)`);
  insertDomainRow(st, DOM0);
  seedKernelPorts(st);
}

export interface DomainRowInput {
  domid: number; name: string; type: string; hap: number; memory_kb: number; vcpus: number;
  max_grant_frames: number; max_evtchn_port: number; dm_target?: number | null;
}

/**
 * Inserts the domain and gives it its memory, taken from the top of free machine memory the
 * way Xen prefers high frames, so that low (DMA-able) memory stays scarce as on a real host.
 * ENOMEM when the host has too little free memory left.
 */
export function insertDomainRow(st: StateStore, d: DomainRowInput): void {
  st.run(`INSERT INTO domains (domid, name, type, hap, memory_kb, vcpus, state, max_grant_frames,
      max_evtchn_port, nr_grant_frames, gnt_next_unused, gntalloc_next_page, dm_target)
    VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, 1, ?, 0, ?)`,
  d.domid, d.name, d.type, d.hap, d.memory_kb, d.vcpus, d.max_grant_frames, d.max_evtchn_port, GNTTAB_NR_RESERVED_ENTRIES,
  d.dm_target ?? null);
  let gfn = 0;
  for (const [mfn, count] of allocFramesFromTop(st, Math.ceil(d.memory_kb / 4), 'domain.create')) {
    st.run('INSERT INTO p2m (domid, first_gfn, count, first_mfn) VALUES (?, ?, ?, ?)', d.domid, gfn, count, mfn);
    gfn += count;
  }
}
