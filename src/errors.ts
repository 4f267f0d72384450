/**
 * One error type for every failure xgt reports. The exit code follows docs/CONTRACT.md: 1 when Xen, the kernel
 * driver or the emulator refused (an errno), 2 for usage errors, 3 when the backend is unavailable.
 */

import { constants } from 'node:os';
import { GNTST } from './xen.js';

const osErrno = (name: string): number | null => (constants.errno as Record<string, number>)[name] ?? null;

export const ERRNO: Record<string, number> = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EIO: 5, E2BIG: 7, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13,
  EFAULT: 14, EBUSY: 16, EEXIST: 17, ENODEV: 19, EINVAL: 22, EFBIG: 27, ENOSPC: 28, ENOTTY: 25,
  ENOSYS: 38, ENODATA: 61, EOPNOTSUPP: 95, EISCONN: 106, ENOTCONN: 107, ETIMEDOUT: 110, ENXIO: 6,
  EINTR: 4, ERANGE: 34, EXDEV: 18, ENOEXEC: 8, EMFILE: 24, ENFILE: 23, EPIPE: 32, ECONNREFUSED: 111,
};

export type ErrorKind = 'refused' | 'usage' | 'unavailable';

const EXIT: Record<ErrorKind, number> = { refused: 1, usage: 2, unavailable: 3 };

export class XgtError extends Error {
  readonly kind: ErrorKind;
  /** errno name (EINVAL…) for refusals; USAGE or UNAVAILABLE otherwise */
  readonly code: string;
  readonly op: string;
  readonly gntst?: number;
  /** extra fields some refusals carry (nr_exchanged for a partial exchange, …) */
  readonly extra?: Record<string, unknown>;

  constructor(kind: ErrorKind, code: string, op: string, message: string,
    opts: { gntst?: number; extra?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.code = code;
    this.op = op;
    this.gntst = opts.gntst;
    this.extra = opts.extra;
  }

  get exitCode(): number {
    return EXIT[this.kind];
  }

  get errno(): number | null {
    return this.kind === 'refused' ? ERRNO[this.code] ?? osErrno(this.code) : null;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      code: this.code, errno: this.errno, op: this.op, message: oneLine(this.message),
    };
    if (this.gntst !== undefined) {
      out.gntst = this.gntst;
      out.gntst_name = GNTST[this.gntst]?.[0] ?? 'GNTST_unknown';
    }
    return { ...out, ...this.extra };
  }
}

/** The hypervisor, the driver or the emulator refused: exit 1. */
export function refused(code: keyof typeof ERRNO | string, op: string, message: string,
  opts: { gntst?: number; extra?: Record<string, unknown> } = {}): XgtError {
  return new XgtError('refused', code, op, message, opts);
}

export function usage(op: string, message: string): XgtError {
  return new XgtError('usage', 'USAGE', op, message);
}

export function unavailable(op: string, message: string): XgtError {
  return new XgtError('unavailable', 'UNAVAILABLE', op, message);
}

/**
 * An exception that no rule raised on purpose — a bug of xgt's, not a refusal by Xen and not a
 * backend that cannot be used: EIO, exit 1, the original kept as `cause` (its stack printed under
 * XGT_DEBUG). Never reported as "unavailable": that would send a user hunting for a broken host.
 */
export function internalError(err: unknown, op: string): XgtError {
  const message = err instanceof Error ? err.message : String(err);
  return new XgtError('refused', 'EIO', op, `internal error: ${oneLine(message)}`, { cause: err });
}

/** The one classification of a failure: ours as it is, anything else an internal error. */
export function asXgtError(err: unknown, op: string): XgtError {
  return err instanceof XgtError ? err : internalError(err, op);
}


/**
 * Every message is one line. oclif's parser wraps messages in several lines of framing
 * ("Parsing --x", "See more help with --help"); only the substance is kept.
 */
export function oneLine(message: string): string {
  const lines = message
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l && !/^See more help with/.test(l) && !/^The following errors? occurred:?$/.test(l)
      && !/^Parsing --\S+$/.test(l));
  return lines.join(' ').replace(/: ; /g, ': ') || 'failed';
}
