/**
 * The one interface both backends implement, split by subsystem the way libxengnttab,
 * libxenevtchn and libxendevicemodel are. Commands only ever see these types; which backend they
 * got is decided once, in select.ts.
 *
 * Every method acts as the backend's acting domain (`--as`). Every method either does all of its
 * work or none of it: on a refusal (XgtError kind 'refused') no state has changed, unless the
 * method's doc says what a partial failure leaves behind.
 */

import type { XgtError } from '../errors.js';
import type { BUFIOREQ_MODES, HVMMEM_TYPES } from '../xen.js';

export type BackendName = 'emu' | 'native';
export type DomainType = 'pv' | 'pvh' | 'hvm';

/** What a backend can do, known up front (probed once), never discovered by failing. */
export interface Capabilities {
  /** several refs in one contiguous mapping (XEN_GNTTAB_OP_FEATURE_MAP_MULTIPLE) */
  map_multiple: boolean;
  grant_copy: boolean;
  /** XENMEM_get_dma_buf / put_dma_buf (never on real Xen: no release implements them) */
  dma_buf: boolean;
  /** domain create/destroy (the emulator is its own toolstack) */
  domain_control: boolean;
  /** --as may name any existing domain */
  act_as_any_domain: boolean;
}

export interface Limits {
  gntalloc_limit: number;
  gntdev_map_limit: number;
  default_max_grant_frames: number;
  grant_entries_per_frame: number;
  maptrack_entries: number;
}

export interface HostInfo {
  backend: BackendName;
  xen_version: string;
  domid: number;
  /** the emulator's state file; null natively */
  state: string | null;
  features: Capabilities;
  limits: Limits;
}

export interface DomainInfo {
  domid: number;
  name: string;
  type: DomainType;
  hap: boolean;
  memory_kb: number;
  vcpus: number;
  /** from Xen's flags, the first that holds of dying, shutdown, paused, blocked; else running */
  state: 'running' | 'blocked' | 'paused' | 'shutdown' | 'dying';
}

/**
 * One domain's use of grants and channels (`xgt top`). `grants` and `grants_mapped` are null for
 * the acting domain: Xen shows no domain its own grant table.
 */
export interface DomainUsage {
  domid: number;
  name: string;
  type: DomainType;
  grant_frames: number;
  max_grant_frames: number;
  /** entries of its table that permit access */
  grants: number | null;
  /** of those, the ones the grantee has in use (GTF_reading / GTF_writing) */
  grants_mapped: number | null;
  /** refs of other domains it maps */
  maps: number;
  /** event channels not closed, and the highest of their ports (null when none) */
  ports: number;
  max_port: number | null;
}

export interface DomainCreateOptions {
  name: string;
  type: DomainType;
  hap: boolean;
  memory_kb: number;
  vcpus: number;
  max_grant_frames: number;
  max_evtchn_port: number;
  /** a device-model stub domain for this domain: it may use DMOPs on it (XSM's target rule) */
  dm_target?: number;
}

export interface Domains {
  /** EEXIST for a name in use, ENOSPC when no domid is left. */
  create(opts: DomainCreateOptions): Promise<DomainInfo & { max_grant_frames: number; max_evtchn_port: number; dm_target: number | null }>;
  list(): Promise<DomainInfo[]>;
  /**
   * ESRCH for an unknown domain, EPERM for Domain-0. A domain whose grants are still mapped
   * elsewhere stays 'dying' until the last of them is unmapped.
   */
  destroy(domid: number): Promise<{ domid: number; state: 'destroyed' | 'dying' }>;
  /** Every domain's use of grants and channels, in domid order. */
  usage(): Promise<DomainUsage[]>;
}

export interface GrantResult { domid: number; to: number; index: number; refs: number[]; readonly: boolean }
export interface UngrantResult { index: number; refs: number[]; deferred: number[] }
export interface MapResult { index: number; domid: number; refs: number[]; count: number; readonly: boolean }
export interface UnmapResult { index: number; domid: number; refs: number[]; count: number }

/**
 * An entry of a grant table that permits access. `index` is the gntalloc run that made it, when
 * this xgt (or, on the emulator, any process) did; null for grants made otherwise. `in_use` is
 * Xen's GTF_reading/GTF_writing; null where it cannot be seen (the acting domain's own table,
 * except what its own mappings prove). `frame`: the gfn, or the mfn for a PV granter; null in
 * the acting domain's own table.
 */
export interface GrantedEntry { index: number | null; ref: number; to: number; readonly: boolean; in_use: '-' | 'r' | 'rw' | null; frame: number | null }
/** Refs of one domain that the listed domain maps; `index` the gntdev mapping when it is xgt's, else null. */
export interface MappedEntry { index: number | null; domid: number; refs: number[]; readonly: boolean }
export interface GnttabUsage {
  domid: number;
  nr_frames: number;
  max_nr_frames: number;
  maptrack_used: number;
  maptrack_max: number;
  gntalloc_used: number;
  gntalloc_limit: number;
}
/** `note`: what this view cannot show, in one line (null when it shows everything). */
export interface GnttabListing { granted: GrantedEntry[]; mapped: MappedEntry[]; usage: GnttabUsage; note: string | null }

/** A page range of the acting domain: a gntdev mapping it holds, or a page it granted. */
export type PageTarget = { index: number } | { ref: number };

export interface Gnttab {
  /**
   * gntalloc ALLOC_GREF: `pages` zeroed pages of the acting domain granted to `to`.
   * ENOSPC past the gntalloc limit or when the grant table cannot grow; nothing is left allocated.
   */
  grant(to: number, pages: number, readonly: boolean): Promise<GrantResult>;
  /**
   * gntalloc DEALLOC_GREF of the run that starts at `index` (EINVAL if none). Refs the grantee
   * still maps stay granted until it unmaps them (`deferred`).
   */
  ungrant(index: number): Promise<UngrantResult>;
  /**
   * gntdev MAP_GRANT_REF + mmap: one contiguous mapping of `refs` granted by `domid`.
   * EINVAL if count exceeds the per-call limit, or (with `gntst`) when the hypervisor refuses
   * any of the refs; then nothing stays mapped.
   */
  map(domid: number, refs: number[], readonly: boolean): Promise<MapResult>;
  /** gntdev UNMAP_GRANT_REF + munmap. ENOENT if no mapping starts at `index`. */
  unmap(index: number): Promise<UnmapResult>;
  /**
   * The drivers' module parameters of the acting domain's kernel (xen_gntalloc's and
   * xen_gntdev's `limit`), read, and set where given (natively: root writes /sys/module).
   */
  limits(set: { gntalloc?: number; gntdev?: number }): Promise<{ gntalloc_limit: number; gntdev_map_limit: number }>;
  /** The acting domain's view, or `domid`'s on backends that can see other domains. */
  list(domid?: number): Promise<GnttabListing>;
  /** ENOENT for an unknown target, EINVAL when offset+length runs past its end. */
  read(target: PageTarget, offset: number, length?: number): Promise<Uint8Array>;
  /** As read; EACCES through a read-only mapping. Returns the number of bytes written. */
  write(target: PageTarget, offset: number, data: Uint8Array): Promise<number>;
  /**
   * GNTTABOP_copy out of `domid`'s grant `ref` (no mapping): `length` bytes from `offset`, the
   * rest of the page by default. Refusals in Xen's order (docs/XEN-RULES.md: copy): EINVAL with
   * the GNTST code of the segment.
   */
  copyFrom(domid: number, ref: number, offset: number, length?: number): Promise<Uint8Array>;
  /** GNTTABOP_copy into `domid`'s grant `ref` at `offset`; the number of bytes copied. */
  copyTo(domid: number, ref: number, offset: number, data: Uint8Array): Promise<number>;
}

export interface Backend {
  readonly name: BackendName;
  /** the acting domain */
  readonly domid: number;
  readonly caps: Capabilities;
  info(): Promise<HostInfo>;
  readonly domains: Domains;
  readonly gnttab: Gnttab;
  readonly evtchn: Evtchn;
  readonly dmop: Dmop;
  readonly mem: Memory;
  /**
   * Makes a list of calls (calls.ts) in order, stopping after a failure unless keepGoing, where
   * this backend does that better than one call at a time (natively: one request to the agent).
   */
  runCalls?(calls: readonly NamedCall[], keepGoing: boolean): Promise<Outcome[]>;
  close(): void;
}

/** A call on this interface by name, e.g. { op: 'gnttab.map', args: [0, [8], false] } (see calls.ts). */
export interface NamedCall { op: string; args: unknown[] }

/** A call's outcome in a list of them: its result, or the failure it met. */
export type Outcome = { ok: true; result: unknown } | { ok: false; error: XgtError };

export type EvtchnState = 'unbound' | 'interdomain' | 'virq' | 'ipi' | 'pirq';

export interface PortInfo {
  port: number;
  state: EvtchnState;
  remote_domid: number | null;
  remote_port: number | null;
  virq: number | null;
  pending: boolean;
  masked: boolean;
  /** bound through the acting domain's evtchn device (xgt); false for the kernel's own ports */
  bound_here: boolean;
}

export interface BindResult {
  port: number;
  state: 'unbound' | 'interdomain' | 'virq';
  remote_domid?: number;
  remote_port?: number;
  virq?: number;
}

export interface Evtchn {
  /** BIND_UNBOUND_PORT: a port `remote` may bind to. ENOSPC when no port is free. */
  bindUnbound(remote: number): Promise<BindResult>;
  /**
   * BIND_INTERDOMAIN: ESRCH for a missing domain, EINVAL unless the remote port is unbound and
   * meant for us, ENOSPC. The new local port is pending at once (Xen marks it so).
   */
  bindInterdomain(remote: number, remotePort: number): Promise<BindResult>;
  /** BIND_VIRQ on vCPU 0: EINVAL past NR_VIRQS, EBUSY for a global virq we do not handle, EEXIST when bound. */
  bindVirq(virq: number): Promise<BindResult>;
  /** NOTIFY: ENOTCONN unless the port is bound on our device. Sends to an unbound peer are dropped. */
  notify(port: number): Promise<{ port: number }>;
  /** UNBIND: EINVAL past the channel count, ENOTCONN unless bound on our device. The peer turns unbound. */
  unbind(port: number): Promise<{ port: number }>;
  /**
   * read() then write-back: the delivered ports (of `ports`, when given), unmasked again.
   * `timeoutMs` 0 polls, undefined waits for ever; nothing within it → ETIMEDOUT.
   */
  wait(ports: number[], timeoutMs: number | undefined): Promise<{ ports: number[] }>;
  /** Every allocated port of `domid` (default: ours), like lsevtchn. */
  list(domid?: number): Promise<{ ports: PortInfo[] }>;
}

export { BUFIOREQ_MODES, HVMMEM_TYPES } from '../xen.js';
export type HvmMemType = (typeof HVMMEM_TYPES)[number];
export type BufioreqMode = (typeof BUFIOREQ_MODES)[number];

export interface IoreqServerInfo { id: number; owner: number; bufioreq: BufioreqMode }
export interface DmopListing {
  servers: IoreqServerInfo[];
  claim: { id: number; flags: number } | null;
  ioreq_server_pages: number;
}

/**
 * Device-model operations on an HVM guest (docs/XEN-RULES.md: DMOP). Every call first applies dm_op's
 * generic checks: ESRCH for a missing domain, EPERM on oneself, EINVAL for a non-HVM target,
 * EPERM when the caller may not act as the target's device model.
 */
export interface Dmop {
  /** ids 0-7, lowest free; ENOSPC for a ninth. */
  createIoreqServer(domid: number, bufioreq: BufioreqMode): Promise<{ domid: number; id: number }>;
  /** ENOENT for an unknown id, EPERM for another's server. Drops the server's memory-type claim. */
  destroyIoreqServer(domid: number, id: number): Promise<{ domid: number; id: number }>;
  /**
   * XEN_DMOP_map_mem_type_to_ioreq_server: flags 2 claims the ioreq_server type, 0 disclaims it
   * (resetting its pages to ram_rw). EOPNOTSUPP without HAP, EINVAL for another type or flags,
   * EBUSY for a second claim, EINVAL for a disclaim by a non-owner.
   */
  mapMemType(domid: number, id: number, type: number, flags: number): Promise<{ domid: number; id: number; type: string; flags: number }>;
  /**
   * XEN_DMOP_set_mem_type. EINVAL for nr 0, a range beyond the domain, a bad type, or a
   * transition p2m forbids; to ioreq_server only while a claim is held. As in Xen, pages before
   * the one whose transition is refused keep their new type.
   */
  setMemType(domid: number, type: number, firstPfn: number, count: number): Promise<{ domid: number; type: string; first_pfn: number; count: number }>;
  list(domid: number): Promise<DmopListing>;
}

export interface DmaExtent { gpfn: number; mfn: number; order: number }

/** The XENMEM_get_dma_buf / put_dma_buf proposal (docs/XEN-RULES.md: memory exchange); never on real Xen (ENOSYS). */
export interface Memory {
  /**
   * Exchanges `extents` extents of 2^order pages from `gpfn` for machine-contiguous,
   * order-aligned frames below 2^addressBits, pinned until putDmaBuf. EPERM beyond the max
   * order, EINVAL for the shape rules, ESRCH, EBUSY for pages in use; when frames run out part
   * way, ENOMEM carrying nr_exchanged, with the first nr_exchanged extents exchanged.
   */
  getDmaBuf(domid: number, extents: number, order: number, addressBits: number, gpfn?: number):
  Promise<{ nr_exchanged: number; extents: DmaExtent[]; address_bits: number }>;
  /** Unpins; EINVAL unless each extent is pinned with that order. */
  putDmaBuf(domid: number, gpfn: number, extents: number, order: number): Promise<{ unpinned: number }>;
  list(domid: number): Promise<{ extents: DmaExtent[] }>;
}
