/**
 * The fast path's way of saying "this invocation is not mine": thrown before a command has done
 * anything, it sends the whole invocation to oclif, which then gives the help, the error message
 * or the result exactly as it always did.
 */
export class Fallback extends Error {
  constructor(readonly reason: string) {
    super(`fast path declined: ${reason}`);
  }
}

export const isFallback = (err: unknown): err is Fallback => err instanceof Fallback;
