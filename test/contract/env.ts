/**
 * What the backend contract suite needs from a backend, so the very same cases run on the
 * emulator here and on the native backend inside a real dom0. The acting domain is always our
 * own (dom0); a Peer is another domain whose guest side the environment plays (emu: --as,
 * native: the xen-vm kit's domu tool).
 */
import type { Backend } from '../../src/backend/types.js';

export interface Peer {
  readonly domid: number;
  /** The guest grants `pages` of its pages to `to`; returns the refs. */
  grant(pages: number, opts?: { to?: number; readonly?: boolean }): Promise<number[]>;
  /** The frame a grant of this guest names (its gfn: the guests are HVM or PVH). */
  frameOf(ref: number): number;
  writePage(ref: number, offset: number, data: Uint8Array): Promise<void>;
  readPage(ref: number, offset: number, length: number): Promise<Uint8Array>;
  /** The guest allocates an unbound port for `remote`; returns the port. */
  allocUnbound(remote: number): Promise<number>;
  /** EVTCHNOP_status of the guest's port, as the guest sees it. */
  portStatus(port: number): Promise<{ state: string; remote_domid: number | null; remote_port: number | null }>;
}

export interface ContractEnv {
  readonly name: string;
  /** A fresh start: our devices hold nothing (new emulated host, or a restarted agent). */
  fresh(): Promise<Backend>;
  /** A new guest domain (HVM with HAP unless asked otherwise). */
  newPeer(opts?: { type?: 'hvm' | 'pvh' | 'pv' }): Promise<Peer>;
  /** A domain id that names no domain. */
  missingDomid(): Promise<number>;
  /** Everything a refused call must leave unchanged, in a comparable form. */
  snapshot(b: Backend, peers?: Peer[]): Promise<unknown>;
  teardown(): Promise<void>;
}
