/**
 * Event channels of the emulated host (docs/XEN-RULES.md: event channels) over the state file; the rules — ports, binds,
 * sends, delivery and masking — are in rules/evtchn.ts. Each domain has one evtchn device (as the
 * native agent holds one fd): a port bound through it is delivered once into the device's ring
 * and masked there until `wait` reads it and writes it back.
 */
import { refused } from '../errors.js';
import type { BindResult, EvtchnState, PortInfo } from '../backend/types.js';
import { domainRow, liveDomain, type DomainRow } from './domain-rows.js';
import {
  channelCount, HARDWARE_DOMAIN, interdomainRefusal, lowestFreePort, onRaise, onUnmask, portAllowed, sendTarget, VIRQ_DOM_EXC,
  virqRefusal,
} from './rules/evtchn.js';
import type { StateStore } from './store.js';

export { NR_VIRQS, VIRQ_DOM_EXC } from './rules/evtchn.js';

interface PortRow {
  domid: number; port: number; state: EvtchnState; remote_domid: number | null; remote_port: number | null;
  virq: number | null; vcpu: number; pending: number; masked: number; bound_here: number; enabled: number;
}

function portRow(st: StateStore, domid: number, port: number): PortRow | undefined {
  return st.get<PortRow>('SELECT * FROM evtchn WHERE domid = ? AND port = ?', domid, port);
}

// Sends and deliveries read only the columns their rules use: better-sqlite3 builds a row column by
// column, and the whole row (a text state among them) costs two or three times these few.
type DeliveryBits = Pick<PortRow, 'bound_here' | 'enabled' | 'pending'>;
type SendRow = Pick<PortRow, 'state' | 'remote_domid' | 'remote_port' | 'bound_here'>;

/** The lowest free port from 1, within the domain's limit; ENOSPC when there is none. */
function allocPort(st: StateStore, d: DomainRow, op: string): number {
  const port = lowestFreePort(q.allocatedPorts(st, d.domid));
  if (!portAllowed(port, d.max_evtchn_port)) {
    throw refused('ENOSPC', op, `domain ${d.domid} has no free event-channel port (max_evtchn_port ${d.max_evtchn_port})`);
  }
  return port;
}

/** A new port row; bound through the domain's evtchn device unless `bound_here` is false. */
export function insertPort(st: StateStore, domid: number, port: number, state: EvtchnState,
  o: { remote_domid?: number | null; remote_port?: number | null; virq?: number | null; vcpu?: number; bound_here?: boolean } = {}): void {
  st.run(`INSERT INTO evtchn (domid, port, state, remote_domid, remote_port, virq, vcpu, bound_here)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, domid, port, state, o.remote_domid ?? null, o.remote_port ?? null, o.virq ?? null,
  o.vcpu ?? 0, o.bound_here === false ? 0 : 1);
}

/** Xen sets the port pending; the device delivers it or keeps it pending (rules/evtchn.ts, onRaise). */
function raise(st: StateStore, domid: number, port: number): void {
  const p = q.deliveryBits(st, domid, port);
  if (!p) return;
  const outcome = onRaise(p);
  if (outcome === 'deliver') {
    q.pushRing(st, domid, port);
    q.setBits(st, domid, port, { enabled: 0, pending: 0 });
  } else if (outcome === 'pend') {
    q.setBits(st, domid, port, { pending: 1 });
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
  const why = interdomainRefusal(d.domid, remote, remotePort, portRow(st, remote, remotePort));
  if (why) throw refused('EINVAL', op, why);
  if (remote === d.domid && remotePort === port) throw refused('EINVAL', op, 'a port cannot bind to itself');
  insertPort(st, d.domid, port, 'interdomain', { remote_domid: remote, remote_port: remotePort });
  st.run(`UPDATE evtchn SET state = 'interdomain', remote_port = ? WHERE domid = ? AND port = ?`, port, remote, remotePort);
  raise(st, d.domid, port); // Xen marks the new local port pending
  return { port, state: 'interdomain', remote_domid: remote, remote_port: remotePort };
}

export function bindVirq(st: StateStore, d: DomainRow, virq: number): BindResult {
  const op = 'evtchn.bind';
  const refusal = virqRefusal(virq, d.domid, q.virqBound(st, d.domid, virq));
  if (refusal) throw refused(refusal.code, op, refusal.why);
  const port = allocPort(st, d, op);
  insertPort(st, d.domid, port, 'virq', { virq });
  return { port, state: 'virq', virq };
}

function requireBoundHere(st: StateStore, domid: number, port: number, op: string): SendRow {
  const p = q.sendRow(st, domid, port);
  if (!p || !p.bound_here) throw refused('ENOTCONN', op, `port ${port} is not bound by domain ${domid} through xgt`);
  return p;
}

export function notify(st: StateStore, domid: number, port: number): { port: number } {
  const to = sendTarget({ domid, port, ...requireBoundHere(st, domid, port, 'evtchn.notify') });
  if (to) raise(st, to.domid, to.port);
  return { port };
}

export function unbind(st: StateStore, domid: number, port: number): { port: number } {
  const op = 'evtchn.unbind';
  if (port >= channelCount(q.maxPort(st, domid))) throw refused('EINVAL', op, `port ${port} is beyond the domain's event channels`);
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
  const rows = q.ring(st, domid).filter((r) => only.length === 0 || only.includes(r.port));
  if (rows.length === 0) return null;
  for (const r of rows) q.dropFromRing(st, domid, r.seq);
  for (const r of rows) {
    const p = q.deliveryBits(st, domid, r.port);
    const { unmask, again } = p ? onUnmask(p) : { unmask: false, again: false };
    if (unmask) q.setBits(st, domid, r.port, { enabled: 1 });
    if (again) raise(st, domid, r.port);
  }
  return rows.map((r) => r.port);
}

/**
 * `domid`'s ports as `acting` sees them. EVTCHNOP_status tells no pending or masked bit, nor
 * which device bound a port: those are known only of the acting domain's own device (what it
 * bound, what it has read and not yet written back), as natively; other domains' ports show none.
 */
export function listPorts(st: StateStore, domid: number, acting: number): PortInfo[] {
  if (!domainRow(st, domid)) throw refused('ESRCH', 'evtchn.list', `no domain ${domid}`);
  return st.all<PortRow>('SELECT * FROM evtchn WHERE domid = ? ORDER BY port', domid).map((p) => {
    const ours = domid === acting && p.bound_here === 1;
    return {
      port: p.port,
      state: p.state,
      remote_domid: p.remote_domid,
      remote_port: p.remote_port,
      virq: p.virq,
      pending: ours && (p.pending === 1 || st.get('SELECT 1 FROM evtchn_ring WHERE domid = ? AND port = ?', domid, p.port) !== undefined),
      masked: ours && p.enabled === 0,
      bound_here: ours,
    };
  });
}

/**
 * What Domain-0's own kernel holds before user space binds anything, as on the xen-vm kit's
 * 1-vCPU dom0 (docs/XEN-RULES.md: checked on the real dom0): the timer virq, its IPIs, the console, pcpu-state and mcelog
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

/**
 * What a guest's own kernel holds once it runs: VIRQ_TIMER on each vCPU, from port 1 (Linux binds
 * it on every CPU it brings up), so a user-space bind of that virq is EEXIST in a guest too.
 */
export function seedGuestKernelPorts(st: StateStore, domid: number, vcpus: number, maxPort: number): void {
  for (let v = 0; v < vcpus && v + 1 <= maxPort; v++) {
    insertPort(st, domid, v + 1, 'virq', { virq: 0, vcpu: v, bound_here: false });
  }
}

/** The state file's side of event channels: one named query each. */
const q = {
  deliveryBits: (st: StateStore, domid: number, port: number) =>
    st.get<DeliveryBits>('SELECT bound_here, enabled, pending FROM evtchn WHERE domid = ? AND port = ?', domid, port),
  sendRow: (st: StateStore, domid: number, port: number) => st.get<SendRow>(
    'SELECT state, remote_domid, remote_port, bound_here FROM evtchn WHERE domid = ? AND port = ?', domid, port),
  allocatedPorts: function* (st: StateStore, domid: number) {
    for (const r of st.iterate<{ port: number }>('SELECT port FROM evtchn WHERE domid = ? ORDER BY port', domid)) yield r.port;
  },
  virqBound: (st: StateStore, domid: number, virq: number) =>
    st.get(`SELECT 1 FROM evtchn WHERE domid = ? AND state = 'virq' AND virq = ? AND vcpu = 0`, domid, virq) !== undefined,
  maxPort: (st: StateStore, domid: number) => st.get<{ m: number | null }>('SELECT max(port) AS m FROM evtchn WHERE domid = ?', domid)!.m ?? 0,
  setBits: (st: StateStore, domid: number, port: number, bits: { enabled?: 0 | 1; pending?: 0 | 1 }) => st.run(
    'UPDATE evtchn SET enabled = coalesce(?, enabled), pending = coalesce(?, pending) WHERE domid = ? AND port = ?',
    bits.enabled ?? null, bits.pending ?? null, domid, port),
  pushRing: (st: StateStore, domid: number, port: number) => st.run(
    'INSERT INTO evtchn_ring (domid, seq, port) VALUES (?, coalesce((SELECT max(seq) FROM evtchn_ring WHERE domid = ?), 0) + 1, ?)',
    domid, domid, port),
  ring: (st: StateStore, domid: number) =>
    st.all<{ seq: number; port: number }>('SELECT seq, port FROM evtchn_ring WHERE domid = ? ORDER BY seq', domid),
  dropFromRing: (st: StateStore, domid: number, seq: number) => st.run('DELETE FROM evtchn_ring WHERE domid = ? AND seq = ?', domid, seq),
};
