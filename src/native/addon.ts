/**
 * Loads the N-API addon lazily (so machines without it run everything else) and turns its
 * errno failures into xgt's error type.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { refused, unavailable, type XgtError } from '../errors.js';

export const ADDON_PATH = join(packageRoot(), 'src/native/addon/build/Release/xgt_native.node');

export interface Addon {
  open(path: string, nonblock: boolean): number;
  close(fd: number): void;
  gntallocAlloc(fd: number, domid: number, writable: boolean, count: number): { index: number; refs: number[] };
  gntallocDealloc(fd: number, index: number, count: number): void;
  gntdevMap(fd: number, domid: number, refs: number[]): number;
  gntdevUnmap(fd: number, index: number, count: number): void;
  /** maps and unmaps in one call (see addon/gnttab.c): how many were done, their results two per op in `out` */
  gntdevRun(fd: number, ops: Float64Array, out: Float64Array): number;
  /** GNTST status of a one-byte copy with (domid, ref) as source, or as destination of its own byte */
  gntdevCopyProbe(fd: number, domid: number, ref: number, asDest: boolean): number;
  /** one GRANT_COPY segment between (domid, ref)+offset and data (into data, or into the grant when toGrant): its GNTST status */
  gntdevCopy(fd: number, domid: number, ref: number, offset: number, data: Buffer, toGrant: boolean): number;
  /** XEN_DOMCTL_getdomaininfo: the first domain at or after domid (ESRCH past the last) */
  domainInfo(fd: number, domid: number): RawDomainInfo;
  /** a copy of the first `frames` frames of domid's shared grant table (XENMEM_acquire_resource) */
  grantFrames(fd: number, domid: number, frames: number): Buffer;
  mmap(fd: number, length: number, writable: boolean, offset: number): number;
  munmap(id: number): void;
  mapRead(id: number, offset: number, length: number): Buffer;
  mapWrite(id: number, offset: number, data: Buffer): void;
  evtchnBindVirq(fd: number, virq: number): number;
  evtchnBindInterdomain(fd: number, domid: number, port: number): number;
  evtchnBindUnbound(fd: number, domid: number): number;
  evtchnUnbind(fd: number, port: number): number;
  evtchnNotify(fd: number, port: number): number;
  evtchnRead(fd: number): number[];
  evtchnUnmask(fd: number, ports: number[]): void;
  pollReadable(fd: number, timeoutMs: number): Promise<boolean>;
  hypercall(fd: number, op: number, a0: number, buf: Buffer | null, a2: number): number;
  dmOp(fd: number, domid: number, buf: Buffer): void;
  layout(): Record<string, number>;
}

export interface RawDomainInfo {
  domid: number; flags: number; tot_pages: number; max_pages: number; max_vcpu_id: number; online_vcpus: number; emulation_flags: number;
}

let addon: Addon | undefined;

export function addonBuilt(): boolean {
  return existsSync(ADDON_PATH);
}

export function loadAddon(): Addon {
  if (addon) return addon;
  if (!addonBuilt()) throw unavailable('native', `native backend unavailable: the native addon is not built (run npm run build:native)`);
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch (e) {
    throw unavailable('native', `native backend unavailable: the native addon does not load: ${(e as Error).message.split('\n')[0]}`);
  }
  return addon;
}

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** An errno from the addon as the refusal xgt reports; anything else passes through. */
export function asRefusal(e: unknown, op: string, message?: string, gntst?: number): XgtError | unknown {
  const errno = (e as { errno?: number }).errno;
  if (typeof errno !== 'number') return e;
  const code = ERRNO_NAMES.get(errno) ?? 'EIO';
  return refused(code === 'ENOTSUP' ? 'EOPNOTSUPP' : code, op, message ?? (e as Error).message, { gntst });
}

/** Runs a device call, reporting its errno as a refusal of `op`. */
export function sys<T>(op: string, fn: () => T, message?: string): T {
  try {
    return fn();
  } catch (e) {
    throw asRefusal(e, op, message);
  }
}
