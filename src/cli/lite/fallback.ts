/**
 * The fast path's way of saying "this invocation is not mine": thrown before a command has done
 * anything, it sends the whole invocation to oclif, which then gives the help, the error message
 * or the result exactly as it always did.
 */
const FALLBACK = Symbol.for('xgt.fallback');

export class Fallback extends Error {
  readonly [FALLBACK] = true;
  constructor(readonly reason: string) {
    super(`fast path declined: ${reason}`);
  }
}

export function isFallback(err: unknown): err is Fallback {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[FALLBACK] === true;
}
