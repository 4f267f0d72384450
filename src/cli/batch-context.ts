/**
 * What the lines of one `xgt batch` share: the backends kept open across lines and the output
 * waiting for its commit. It lives on globalThis, not on a class, because a batch line the fast
 * path declines runs on the oclif bundle's copy of the command classes — and must share them too.
 */
import type { Backend } from '../backend/types.js';

export interface BatchContext {
  /** one open backend per (backend, state, acting domain): opened once, not once per line */
  pool: Map<string, Backend>;
  /** output lines, printed once the commit that makes them true is done */
  output: string[];
}

const KEY = Symbol.for('xgt.batch');
const slot = globalThis as unknown as Record<symbol, BatchContext | undefined>;

export function currentBatch(): BatchContext | undefined {
  return slot[KEY];
}

export function setBatch(ctx: BatchContext | undefined): void {
  slot[KEY] = ctx;
}
