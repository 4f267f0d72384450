/**
 * What the lines of one `xgt batch` share: the backends kept open across lines, the output
 * waiting for its commit, and the exit code of the line that just ran. It lives on globalThis,
 * not on a class, because a batch line the fast path declines runs on the oclif bundle's copy of
 * the command classes — and must share it too. The agent, which may run several clients'
 * batches at once, installs an AsyncLocalStorage so that each batch sees its own.
 */
import type { Backend } from '../backend/types.js';

export interface BatchContext {
  /** one open backend per (backend, state, acting domain): opened once, not once per line */
  pool: Map<string, Backend>;
  /** output lines, printed once the commit that makes them true is done */
  output: string[];
  /** how a line's backend is opened (the agent's batch: its own devices, in-process) */
  open?: (choice: { backend: string; state?: string; as?: number }) => Promise<Backend>;
  /** the exit code of the failed line (set by the command's error handler), else 0 */
  failed: number;
}

interface Store { getStore(): BatchContext | undefined }

const KEY = Symbol.for('xgt.batch');
const STORE = Symbol.for('xgt.batch.store');
const slot = globalThis as unknown as Record<symbol, BatchContext | Store | undefined>;

export function currentBatch(): BatchContext | undefined {
  const store = slot[STORE] as Store | undefined;
  return store ? store.getStore() : (slot[KEY] as BatchContext | undefined);
}

export function setBatch(ctx: BatchContext | undefined): void {
  slot[KEY] = ctx;
}

/** Makes currentBatch() follow the async context (for a process running batches concurrently). */
export function useBatchStore(store: Store): void {
  slot[STORE] = store;
}
