/**
 * A state file mirroring a live Xen host (`emu capture`): the host as the native backend reads it
 * from Xen — domains, every readable grant table, every domain's event channels — written as an
 * emulated host, so that `domain list`, `gnttab list --domid D`, `evtchn list --domid D` and `top`
 * answer on it as the host did. What cannot be carried: page contents (never copied: the pages
 * are zeros), the acting domain's own grants (Xen shows no domain its own table), a domain's
 * port limit (Xen does not tell it; xl's default is used), and how in-use grants were mapped
 * together (each becomes a one-page mapping of its grantee's).
 */
import { refused } from '../errors.js';
import type { DomainInfo, GrantedEntry, PortInfo } from '../backend/types.js';
import { GNTTAB_NR_RESERVED_ENTRIES } from '../xen.js';
import { DOM0, HOST_FRAMES, XEN_RESERVED_FRAMES, insertDomainRow } from './host-layout.js';
import { writeGrantEntry } from './grant-table.js';
import { insertPort } from './evtchn.js';
import { mapGrants } from './gntdev.js';
import type { StateStore } from './store.js';
import { TABLES } from './admin.js';

/** What the host showed, domain by domain (`grants` undefined where Xen showed no table). */
export interface HostSnapshot {
  domains: {
    info: DomainInfo;
    nr_grant_frames: number;
    max_grant_frames: number;
    grants: GrantedEntry[] | undefined;
    ports: PortInfo[];
  }[];
}

const DEFAULT_MAX_EVTCHN_PORT = 1023; // xl's

/** Replaces the host in `st` with the snapshot (the caller runs it in one transaction). */
export function writeCapture(st: StateStore, snap: HostSnapshot): { domains: number; grants: number; ports: number } {
  for (const t of TABLES) st.run(`DELETE FROM ${t}`);
  st.run('INSERT INTO free_mfns (first_mfn, count) VALUES (?, ?)', XEN_RESERVED_FRAMES, HOST_FRAMES - XEN_RESERVED_FRAMES);
  const names = new Set<string>();
  for (const d of snap.domains) {
    const i = d.info;
    // names are unique in the emulator as in xl; XenStore may have none for a domain, or repeat one
    const name = names.has(i.name) ? `${i.name}-${i.domid}` : i.name;
    names.add(name);
    insertDomainRow(st, {
      domid: i.domid, name, type: i.type, hap: i.hap ? 1 : 0, memory_kb: i.memory_kb, vcpus: Math.max(i.vcpus, 1),
      max_grant_frames: d.max_grant_frames, max_evtchn_port: i.domid === 0 ? DOM0.max_evtchn_port : DEFAULT_MAX_EVTCHN_PORT,
    });
    const nextRef = Math.max(GNTTAB_NR_RESERVED_ENTRIES, ...(d.grants ?? []).map((g) => g.ref + 1));
    st.run(`UPDATE domains SET nr_grant_frames = ?, gnt_next_unused = ?, paused = ?, state = ? WHERE domid = ?`,
      d.nr_grant_frames, nextRef, i.state === 'paused' ? 1 : 0, i.state === 'dying' ? 'dying' : 'running', i.domid);
  }
  if (!snap.domains.some((d) => d.info.domid === 0)) throw refused('EINVAL', 'emu.capture', 'the host showed no Domain-0');
  st.run(`INSERT INTO meta (key, value) VALUES ('next_domid', ?)`, Math.max(...snap.domains.map((d) => d.info.domid)) + 1);

  let grants = 0;
  const inUse: { granter: number; grantee: number; ref: number; readonly: boolean }[] = [];
  for (const d of snap.domains) {
    for (const g of d.grants ?? []) {
      if (g.frame === null) continue;
      writeGrantEntry(st, d.info.domid, g.ref, g.to, g.frame, g.readonly);
      grants++;
      if (g.in_use === 'r' || g.in_use === 'rw') inUse.push({ granter: d.info.domid, grantee: g.to, ref: g.ref, readonly: g.in_use === 'r' });
    }
  }
  // Xen's flags say an entry is in use, and by whom (only its grantee may map it), not how: one
  // page mapped by the grantee each, so that pins and mappings agree as on a live host
  for (const u of inUse) {
    if (snap.domains.some((d) => d.info.domid === u.grantee)) mapGrants(st, u.grantee, u.granter, [u.ref], u.readonly);
  }

  let ports = 0;
  for (const d of snap.domains) {
    for (const p of d.ports) {
      insertPort(st, d.info.domid, p.port, p.state, p);
      ports++;
    }
  }
  return { domains: snap.domains.length, grants, ports };
}
