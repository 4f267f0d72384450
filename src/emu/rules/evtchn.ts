/**
 * Event channels' rules as plain functions (docs/XEN-RULES.md: event channels): port allocation, what a bind is refused
 * for, where a send goes, and how Linux's /dev/xen/evtchn delivers and masks. No state file here.
 */
export const NR_VIRQS = 24;
const PER_VCPU_VIRQS = new Set([0, 1, 7, 13]); // TIMER, DEBUG, XENOPROF, XENPMU
const PER_DOMAIN_VIRQS = new Set([11]); // ARGO
export const VIRQ_DOM_EXC = 3;
export const FIFO_MAX_PORTS = 1 << 17;
const FIFO_WORDS_PER_PAGE = 1024;
export const HARDWARE_DOMAIN = 0;

/** The lowest free port from 1 (port 0 is reserved), given the allocated ports in ascending order. */
export function lowestFreePort(allocated: Iterable<number>): number {
  let want = 1;
  for (const port of allocated) {
    if (port > want) break;
    if (port === want) want++;
  }
  return want;
}

/** Whether a domain may have port `port` (its max_evtchn_port, and the FIFO ABI's limit). */
export const portAllowed = (port: number, maxPort: number) => port <= maxPort && port < FIFO_MAX_PORTS;

/** Why BIND_VIRQ on vCPU 0 is refused (errno and message), or undefined. */
export function virqRefusal(virq: number, domid: number, boundOnVcpu0: boolean): { code: string; why: string } | undefined {
  if (virq >= NR_VIRQS) return { code: 'EINVAL', why: `virq ${virq} is beyond NR_VIRQS (${NR_VIRQS})` };
  const global = !PER_VCPU_VIRQS.has(virq) && !PER_DOMAIN_VIRQS.has(virq);
  if (global && domid !== HARDWARE_DOMAIN) return { code: 'EBUSY', why: `virq ${virq} is global and handled by domain ${HARDWARE_DOMAIN}` };
  if (boundOnVcpu0) return { code: 'EEXIST', why: `virq ${virq} is already bound on vcpu 0` };
  return undefined;
}

export interface PortState { state: string; remote_domid: number | null }

/** Why BIND_INTERDOMAIN to `remotePort` of `remote` is refused (EINVAL), or undefined. */
export function interdomainRefusal(binder: number, remote: number, remotePort: number, rp: PortState | undefined): string | undefined {
  if (!rp) return `port ${remotePort} of domain ${remote} is not allocated`;
  if (rp.state !== 'unbound') return `port ${remotePort} of domain ${remote} is ${rp.state}, not unbound`;
  if (rp.remote_domid !== binder) return `port ${remotePort} of domain ${remote} is meant for domain ${rp.remote_domid}, not ${binder}`;
  return undefined;
}

/** Where EVTCHNOP_send raises an event: the peer of an interdomain port, the port itself for an IPI; else nowhere. */
export function sendTarget(p: { state: string; domid: number; port: number; remote_domid: number | null; remote_port: number | null }):
{ domid: number; port: number } | undefined {
  if (p.state === 'interdomain') return { domid: p.remote_domid!, port: p.remote_port! };
  if (p.state === 'ipi') return { domid: p.domid, port: p.port };
  // unbound: Xen drops the event silently. virq and pirq: EVTCHNOP_send says EINVAL, but the
  // driver's NOTIFY ignores the hypercall's result, so the user sees success either way.
  return undefined;
}

/**
 * What raising an event on a port does: the kernel consumes its own ports (`ignore`); a port bound
 * on the evtchn device is delivered into the device's ring and masked there if it is unmasked
 * (`deliver`: the driver's upcall also clears the pending bit), else it stays pending (`pend`:
 * sends meanwhile merge into that one bit).
 */
export function onRaise(p: { bound_here: number; enabled: number }): 'ignore' | 'deliver' | 'pend' {
  if (!p.bound_here) return 'ignore';
  return p.enabled ? 'deliver' : 'pend';
}

/** After `wait` read a port and wrote it back: unmasked, and delivered again at once if it went pending meanwhile. */
export function onUnmask(p: { bound_here: number; enabled: number; pending: number }): { unmask: boolean; again: boolean } {
  const unmask = p.bound_here === 1 && p.enabled === 0;
  return { unmask, again: unmask && p.pending === 1 };
}

/** The number of channels the FIFO ABI has room for: whole pages of 1024 event words. */
export const channelCount = (maxPort: number) => Math.max(1, Math.ceil((maxPort + 1) / FIFO_WORDS_PER_PAGE)) * FIFO_WORDS_PER_PAGE;
