/**
 * What the lines of one `xgt batch` share: the backends kept open across lines, the output
 * waiting for its commit, and the exit code of the line that just ran. The batch hands it to
 * each line's command (XgtCommand.batch) — explicitly, because a line the fast path declines
 * runs on the oclif bundle's copy of the command classes, and because the agent may run several
 * clients' batches at once.
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
   * the environment the lines' flags read, taken once: every line of a batch sees the same one,
   * and reading process.env is a call into the runtime (three per line, one per env flag)
   */
  env?: NodeJS.ProcessEnv;
}
