/**
 * Device-model operations (docs/XEN-RULES.md: DMOP): dm_op's generic checks in order, ioreq servers in slots
 * 0-7, the p2m_ioreq_server claim (the seed patch's XEN_DMOP_map_mem_type_to_ioreq_server) and
 * set_mem_type's transitions.
 */
import { refused } from '../errors.js';
import type { BufioreqMode, DmopListing } from '../backend/types.js';
import { BUFIOREQ_MODES, HVMMEM_TYPES } from '../xen.js';
import { domainRow, liveDomain, type DomainRow } from './domain-rows.js';
import { domainPages } from './machine.js';
import { mergeAround, pagesOfType, rangesIn, retypeAll, setType } from './p2m.js';
import type { StateStore } from './store.js';

const MAX_NR_IOREQ_SERVERS = 8;
const HVMMEM_IOREQ_SERVER = 4;
const HVMMEM_UNUSED = 3;
const ACCESS_WRITE = 2;
const CONTROL_DOMAIN = 0;

/** dm_op's checks before any op: ESRCH, EPERM on oneself, EINVAL for non-HVM, XSM's EPERM. */
export function dmTarget(st: StateStore, caller: number, domid: number, op: string): DomainRow {
  const d = liveDomain(st, domid);
  if (!d) throw refused('ESRCH', op, `no domain ${domid}`);
  if (domid === caller) throw refused('EPERM', op, 'a domain cannot use dm_op on itself');
  if (d.type === 'pv') throw refused('EINVAL', op, `domain ${domid} is PV; dm_op needs an HVM or PVH domain`);
  const c = domainRow(st, caller);
  if (caller !== CONTROL_DOMAIN && c?.dm_target !== domid) {
    throw refused('EPERM', op, `domain ${caller} is not a device model of domain ${domid}`);
  }
  return d;
}

interface ServerRow { domid: number; id: number; owner: number; bufioreq: number }

function server(st: StateStore, caller: number, domid: number, id: number, op: string): ServerRow {
  const s = id < MAX_NR_IOREQ_SERVERS
    ? st.get<ServerRow>('SELECT * FROM ioreq_servers WHERE domid = ? AND id = ?', domid, id) : undefined;
  if (!s) throw refused('ENOENT', op, `domain ${domid} has no ioreq server ${id}`);
  if (s.owner !== caller) throw refused('EPERM', op, `ioreq server ${id} belongs to domain ${s.owner}`);
  return s;
}

export function createServer(st: StateStore, caller: number, domid: number, bufioreq: BufioreqMode) {
  const op = 'dmop.create-ioreq-server';
  dmTarget(st, caller, domid, op);
  const used = new Set(st.all<{ id: number }>('SELECT id FROM ioreq_servers WHERE domid = ?', domid).map((r) => r.id));
  let id = 0;
  while (used.has(id)) id++;
  if (id >= MAX_NR_IOREQ_SERVERS) throw refused('ENOSPC', op, `domain ${domid} already has ${MAX_NR_IOREQ_SERVERS} ioreq servers`);
  st.run('INSERT INTO ioreq_servers (domid, id, owner, bufioreq) VALUES (?, ?, ?, ?)',
    domid, id, caller, BUFIOREQ_MODES.indexOf(bufioreq));
  return { domid, id };
}

export function destroyServer(st: StateStore, caller: number, domid: number, id: number) {
  const op = 'dmop.destroy-ioreq-server';
  dmTarget(st, caller, domid, op);
  server(st, caller, domid, id, op);
  // only the claim goes: the pages keep the ioreq_server type, so a new claim is EBUSY until they
  // are set back to ram_rw (seen on Xen 4.17: destroy does not run map_mem_type's reset loop)
  if (claimOf(st, domid)?.id === id) st.run('DELETE FROM mem_type_claims WHERE domid = ?', domid);
  st.run('DELETE FROM ioreq_servers WHERE domid = ? AND id = ?', domid, id);
  return { domid, id };
}

function claimOf(st: StateStore, domid: number): { id: number; flags: number } | undefined {
  const c = st.get<{ server_id: number; flags: number }>('SELECT server_id, flags FROM mem_type_claims WHERE domid = ?', domid);
  return c && { id: c.server_id, flags: c.flags };
}

function disclaim(st: StateStore, domid: number): void {
  st.run('DELETE FROM mem_type_claims WHERE domid = ?', domid);
  retypeAll(st, domid, 'ioreq_server', 'ram_rw');
}

export function mapMemType(st: StateStore, caller: number, domid: number, id: number, type: number, flags: number) {
  const op = 'dmop.map-mem-type';
  const d = dmTarget(st, caller, domid, op);
  if (!d.hap) throw refused('EOPNOTSUPP', op, `domain ${domid} uses shadow paging; the ioreq_server type needs HAP`);
  if (type !== HVMMEM_IOREQ_SERVER) throw refused('EINVAL', op, `only the ioreq_server type (4) can be mapped, not ${typeName(type)}`);
  if (flags & ~ACCESS_WRITE) throw refused('EINVAL', op, `flags ${flags}: only 2 (write) or 0 (disclaim) are accepted`);
  server(st, caller, domid, id, op);
  const claim = claimOf(st, domid);
  if (flags) {
    if (claim) throw refused('EBUSY', op, `ioreq server ${claim.id} already claims the ioreq_server type`);
    if (pagesOfType(st, domid, 'ioreq_server') > 0) throw refused('EBUSY', op, 'ioreq_server pages remain from an earlier claim');
    st.run('INSERT INTO mem_type_claims (domid, server_id, flags) VALUES (?, ?, ?)', domid, id, flags);
  } else {
    if (claim?.id !== id) throw refused('EINVAL', op, `ioreq server ${id} does not hold the ioreq_server claim`);
    disclaim(st, domid);
  }
  return { domid, id, type: 'ioreq_server', flags };
}

function typeName(t: number): string {
  return HVMMEM_TYPES[t] ?? String(t);
}

function transitionAllowed(from: string, to: string): boolean {
  if (to === 'ioreq_server') return from === 'ram_rw';
  if (from === 'ioreq_server') return to === 'ram_rw';
  if (from === 'ram_rw' || from === 'ram_ro') return true;
  return to === 'mmio_dm' && from === 'mmio_dm';
}

/**
 * Pages change one at a time as in Xen: a refused transition stops there, and the pages before
 * it keep their new type. Returns how many pages changed before the error, if any.
 */
export function setMemType(st: StateStore, caller: number, domid: number, type: number, first: number, count: number):
{ result: { domid: number; type: string; first_pfn: number; count: number }; failure?: Error } {
  const op = 'dmop.set-mem-type';
  const d = dmTarget(st, caller, domid, op);
  const last = first + count - 1;
  if (count === 0 || last > domainPages(st, domid) - 1) {
    throw refused('EINVAL', op, count === 0 ? 'nr is 0' : `pfns ${first}-${last} run beyond the domain (max gpfn ${domainPages(st, domid) - 1})`);
  }
  if (type >= HVMMEM_TYPES.length || type === HVMMEM_UNUSED) throw refused('EINVAL', op, `memory type ${typeName(type)} cannot be set`);
  const to = typeName(type);
  if (type === HVMMEM_IOREQ_SERVER) {
    if (!d.hap) throw refused('EOPNOTSUPP', op, `domain ${domid} uses shadow paging; the ioreq_server type needs HAP`);
    if (!claimOf(st, domid)) throw refused('EINVAL', op, 'no ioreq server claims the ioreq_server type');
  }
  let done = 0;
  for (const r of rangesIn(st, domid, first, count)) {
    if (!transitionAllowed(r.type, to)) break;
    done += r.count;
  }
  const result = { domid, type: to, first_pfn: first, count };
  if (done === count) {
    setType(st, domid, first, count, to);
    return { result };
  }
  const from = rangesIn(st, domid, first + done, 1)[0].type;
  const failure = refused('EINVAL', op, `pfn ${first + done}: ${from} cannot become ${to}` +
    (done ? ` (the ${done} page(s) before it changed)` : ''));
  if (done === 0) throw failure;
  setType(st, domid, first, done, to);
  mergeAround(st, domid, first, count);
  return { result, failure };
}

export function listDm(st: StateStore, domid: number): DmopListing {
  if (!domainRow(st, domid)) throw refused('ESRCH', 'dmop.list', `no domain ${domid}`);
  return {
    servers: st.all<ServerRow>('SELECT * FROM ioreq_servers WHERE domid = ? ORDER BY id', domid)
      .map((s) => ({ id: s.id, owner: s.owner, bufioreq: BUFIOREQ_MODES[s.bufioreq] })),
    claim: claimOf(st, domid) ?? null,
    ioreq_server_pages: pagesOfType(st, domid, 'ioreq_server'),
  };
}
