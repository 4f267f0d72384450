/**
 * What the lines of one `xgt batch` share: the backends kept open across lines and the output
 * waiting for its commit. Each line's command gets its own context made from the batch's (see
 * LineRunner), holding that line's exit code — explicitly, because a line the fast path declines
 * runs on the oclif bundle's copy of the command classes, because the agent may run several
 * clients' batches at once, and because the agent's pipelined batch has many lines in flight.
 */
import type { BackendChoice } from '../backend/select.js';
import type { Backend } from '../backend/types.js';

export interface BatchContext {
  /** one open backend per (backend, state, acting domain): opened once, not once per line */
  pool: Map<string, Backend>;
  /** output lines, printed once the commit that makes them true is done */
  output: string[];
  /** how a line's backend is opened (the agent's batch: its own devices, in-process) */
  open?: (choice: BackendChoice) => Promise<Backend>;
  /** the exit code of the failed line (set by the command's error handler), else 0 */
  failed: number;
  /**
   * When set, a command does not reach its backend itself: it hands over the step that would
   * (see XgtCommand.withBackend) and waits for the batch to run it — the agent's pipelined batch,
   * src/cli/batch-pipeline.ts, runs many lines' steps back to back.
   */
  defer?: <T>(step: () => Promise<T>) => Promise<T>;
  /**
   * the environment the lines' flags read, taken once: every line of a batch sees the same one,
   * and reading process.env is a call into the runtime (three per line, one per env flag)
   */
  env?: NodeJS.ProcessEnv;
}
