/**
 * Event channels of the emulated host (XEN-FACTS C): the hypervisor's port rules and Linux's
 * /dev/xen/evtchn delivery. Each domain has one evtchn device (as the native agent holds one
 * fd): a port bound through it is delivered once into the device's ring and masked there until
 * `wait` reads it and writes it back; sends that arrive meanwhile merge into the pending bit and
 * are delivered again after that unmask.
 */
import { refused } from '../errors.js';
import type { BindResult, EvtchnState, PortInfo } from '../backend/types.js';
import { domainRow, liveDomain, type DomainRow } from './domain-rows.js';
import type { StateStore } from './store.js';

export const NR_VIRQS = 24;
const PER_VCPU_VIRQS = new Set([0, 1, 7, 13]); // TIMER, DEBUG, XENOPROF, XENPMU
const PER_DOMAIN_VIRQS = new Set([11]); // ARGO
export const VIRQ_DOM_EXC = 3;
const FIFO_MAX_PORTS = 1 << 17;
const FIFO_WORDS_PER_PAGE = 1024;
const HARDWARE_DOMAIN = 0;

interface PortRow {
  domid: number; port: number; state: EvtchnState; remote_domid: number | null; remote_port: number | null;
  virq: number | null; vcpu: number; pending: number; masked: number; bound_here: number; enabled: number;
}

function portRow(st: StateStore, domid: number, port: number): PortRow | undefined {
  return st.get<PortRow>('SELECT * FROM evtchn WHERE domid = ? AND port = ?', domid, port);
}

/** The lowest free port from 1 (port 0 is reserved), within the domain's limit. */
function allocPort(st: StateStore, d: DomainRow, op: string): number {
  const row = st.get<{ p: number }>(
    `SELECT p FROM (
       SELECT 1 AS p WHERE NOT EXISTS (SELECT 1 FROM evtchn WHERE domid = @d AND port = 1)
       UNION ALL
       SELECT e.port + 1 AS p FROM evtchn e WHERE e.domid = @d
         AND NOT EXISTS (SELECT 1 FROM evtchn f WHERE f.domid = @d AND f.port = e.port + 1)
     ) ORDER BY p LIMIT 1`, { d: d.domid })!;
  if (row.p > d.max_evtchn_port || row.p >= FIFO_MAX_PORTS) {
    throw refused('ENOSPC', op, `domain ${d.domid} has no free event-channel port (max_evtchn_port ${d.max_evtchn_port})`);
  }
  return row.p;
}

function insertPort(st: StateStore, domid: number, port: number, state: EvtchnState,
  o: { remote_domid?: number | null; remote_port?: number | null; virq?: number | null; bound_here?: boolean } = {}): void {
  st.run(`INSERT INTO evtchn (domid, port, state, remote_domid, remote_port, virq, bound_here)
    VALUES (?, ?, ?, ?, ?, ?, ?)`, domid, port, state, o.remote_domid ?? null, o.remote_port ?? null, o.virq ?? null,
  o.bound_here === false ? 0 : 1);
}

/**
 * Xen sets the port pending; an unmasked port bound on the device is delivered into its ring
 * and masked (the driver's upcall clears the pending bit). The kernel consumes its own ports.
 */
function raise(st: StateStore, domid: number, port: number): void {
  const p = portRow(st, domid, port);
  if (!p) return;
  if (!p.bound_here) return;
  if (p.enabled) {
    const seq = st.get<{ s: number | null }>('SELECT max(seq) AS s FROM evtchn_ring WHERE domid = ?', domid)!.s ?? 0;
    st.run('INSERT INTO evtchn_ring (domid, seq, port) VALUES (?, ?, ?)', domid, seq + 1, port);
    st.run('UPDATE evtchn SET enabled = 0, pending = 0 WHERE domid = ? AND port = ?', domid, port);
  } else {
    st.run('UPDATE evtchn SET pending = 1 WHERE domid = ? AND port = ?', domid, port);
  }
}

export function bindUnbound(st: StateStore, d: DomainRow, remote: number): BindResult {
  const port = allocPort(st, d, 'evtchn.bind');
  insertPort(st, d.domid, port, 'unbound', { remote_domid: remote });
  return { port, state: 'unbound', remote_domid: remote };
}

export function bindInterdomain(st: StateStore, d: DomainRow, remote: number, remotePort: number): BindResult {
  const op = 'evtchn.bind';
  const rd = liveDomain(st, remote);
  if (!rd) throw refused('ESRCH', op, `no domain ${remote}`);
  const port = allocPort(st, d, op);
  const rp = portRow(st, remote, remotePort);
  if (!rp || rp.state !== 'unbound' || rp.remote_domid !== d.domid) {
    const why = !rp ? 'is not allocated' : rp.state !== 'unbound' ? `is ${rp.state}, not unbound`
      : `is meant for domain ${rp.remote_domid}, not ${d.domid}`;
    throw refused('EINVAL', op, `port ${remotePort} of domain ${remote} ${why}`);
  }
  if (remote === d.domid && remotePort === port) throw refused('EINVAL', op, 'a port cannot bind to itself');
  insertPort(st, d.domid, port, 'interdomain', { remote_domid: remote, remote_port: remotePort });
  st.run(`UPDATE evtchn SET state = 'interdomain', remote_port = ? WHERE domid = ? AND port = ?`, port, remote, remotePort);
  raise(st, d.domid, port); // Xen marks the new local port pending
  return { port, state: 'interdomain', remote_domid: remote, remote_port: remotePort };
}

export function bindVirq(st: StateStore, d: DomainRow, virq: number): BindResult {
  const op = 'evtchn.bind';
  if (virq >= NR_VIRQS) throw refused('EINVAL', op, `virq ${virq} is beyond NR_VIRQS (${NR_VIRQS})`);
  const global = !PER_VCPU_VIRQS.has(virq) && !PER_DOMAIN_VIRQS.has(virq);
  if (global && d.domid !== HARDWARE_DOMAIN) {
    throw refused('EBUSY', op, `virq ${virq} is global and handled by domain ${HARDWARE_DOMAIN}`);
  }
  if (st.get(`SELECT 1 FROM evtchn WHERE domid = ? AND state = 'virq' AND virq = ? AND vcpu = 0`, d.domid, virq)) {
    throw refused('EEXIST', op, `virq ${virq} is already bound on vcpu 0`);
  }
  const port = allocPort(st, d, op);
  insertPort(st, d.domid, port, 'virq', { virq });
  return { port, state: 'virq', virq };
}

function requireBoundHere(st: StateStore, domid: number, port: number, op: string): PortRow {
  const p = portRow(st, domid, port);
  if (!p || !p.bound_here) throw refused('ENOTCONN', op, `port ${port} is not bound by domain ${domid} through xgt`);
  return p;
}

export function notify(st: StateStore, domid: number, port: number): { port: number } {
  const p = requireBoundHere(st, domid, port, 'evtchn.notify');
  send(st, p);
  return { port };
}

function send(st: StateStore, p: PortRow): void {
  if (p.state === 'interdomain') raise(st, p.remote_domid!, p.remote_port!);
  else if (p.state === 'ipi') raise(st, p.domid, p.port);
  // unbound: Xen drops the event silently. virq and pirq: EVTCHNOP_send says EINVAL, but the
  // driver's NOTIFY ignores the hypercall's result, so the user sees success either way.
}

/** The number of channels the FIFO ABI has room for: whole pages of 1024 event words. */
function channelCount(st: StateStore, domid: number): number {
  const max = st.get<{ m: number | null }>('SELECT max(port) AS m FROM evtchn WHERE domid = ?', domid)!.m ?? 0;
  return Math.max(1, Math.ceil((max + 1) / FIFO_WORDS_PER_PAGE)) * FIFO_WORDS_PER_PAGE;
}

export function unbind(st: StateStore, domid: number, port: number): { port: number } {
  const op = 'evtchn.unbind';
  if (port >= channelCount(st, domid)) throw refused('EINVAL', op, `port ${port} is beyond the domain's event channels`);
  requireBoundHere(st, domid, port, op);
  closePort(st, domid, port);
  return { port };
}

/** EVTCHNOP_close: the port is freed, and an interdomain peer turns unbound, waiting for the closer. */
function closePort(st: StateStore, domid: number, port: number): void {
  const p = portRow(st, domid, port)!;
  if (p.state === 'interdomain') {
    st.run(`UPDATE evtchn SET state = 'unbound', remote_domid = ?, remote_port = NULL WHERE domid = ? AND port = ?`,
      domid, p.remote_domid, p.remote_port);
  }
  st.run('DELETE FROM evtchn WHERE domid = ? AND port = ?', domid, port);
  st.run('DELETE FROM evtchn_ring WHERE domid = ? AND port = ?', domid, port);
}

/** Domain teardown: every port closed; the hardware domain hears of it through VIRQ_DOM_EXC. */
export function closeAllPorts(st: StateStore, domid: number): void {
  for (const { port } of st.all<{ port: number }>('SELECT port FROM evtchn WHERE domid = ?', domid)) closePort(st, domid, port);
  const exc = st.get<{ port: number }>(`SELECT port FROM evtchn WHERE domid = ? AND state = 'virq' AND virq = ?`,
    HARDWARE_DOMAIN, VIRQ_DOM_EXC);
  if (exc) raise(st, HARDWARE_DOMAIN, exc.port);
}

/**
 * read() then write-back: takes the delivered ports (those in `only`, when given) out of the
 * ring and unmasks them, which delivers again at once any port that went pending meanwhile.
 * Returns null when nothing was delivered.
 */
export function takeDelivered(st: StateStore, domid: number, only: number[]): number[] | null {
  const rows = st.all<{ seq: number; port: number }>('SELECT seq, port FROM evtchn_ring WHERE domid = ? ORDER BY seq', domid)
    .filter((r) => only.length === 0 || only.includes(r.port));
  if (rows.length === 0) return null;
  for (const r of rows) st.run('DELETE FROM evtchn_ring WHERE domid = ? AND seq = ?', domid, r.seq);
  for (const r of rows) {
    const p = portRow(st, domid, r.port);
    if (p && p.bound_here && !p.enabled) {
      st.run('UPDATE evtchn SET enabled = 1 WHERE domid = ? AND port = ?', domid, r.port);
      if (p.pending) raise(st, domid, r.port);
    }
  }
  return rows.map((r) => r.port);
}

export function listPorts(st: StateStore, domid: number): PortInfo[] {
  if (!domainRow(st, domid)) throw refused('ESRCH', 'evtchn.list', `no domain ${domid}`);
  return st.all<PortRow>('SELECT * FROM evtchn WHERE domid = ? ORDER BY port', domid).map((p) => ({
    port: p.port,
    state: p.state,
    remote_domid: p.remote_domid,
    remote_port: p.remote_port,
    virq: p.virq,
    pending: p.pending === 1 || st.get('SELECT 1 FROM evtchn_ring WHERE domid = ? AND port = ?', domid, p.port) !== undefined,
    masked: p.bound_here ? p.enabled === 0 : p.masked === 1,
    bound_here: p.bound_here === 1,
  }));
}

/**
 * What Domain-0's own kernel holds before user space binds anything, as on the xen-vm kit's
 * 1-vCPU dom0 (XEN-FACTS K): the timer virq, its IPIs, the console, pcpu-state and mcelog
 * virqs, and device interrupts, so that user space's first port is 18.
 */
export function seedKernelPorts(st: StateStore): void {
  const kernel = { bound_here: false } as const;
  insertPort(st, 0, 1, 'virq', { ...kernel, virq: 0 });
  for (let port = 2; port <= 7; port++) insertPort(st, 0, port, 'ipi', kernel);
  insertPort(st, 0, 8, 'virq', { ...kernel, virq: 2 });
  insertPort(st, 0, 9, 'virq', { ...kernel, virq: 9 });
  insertPort(st, 0, 10, 'virq', { ...kernel, virq: 16 });
  for (let port = 11; port <= 17; port++) insertPort(st, 0, port, 'pirq', kernel);
}
