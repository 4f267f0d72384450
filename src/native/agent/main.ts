/** Entry point of the agent process (started on demand by the first native command). */
import { XgtError } from '../../errors.js';
import { runAgent } from './server.js';

runAgent().catch((e: unknown) => {
  process.stderr.write(`xgt agent: ${e instanceof XgtError ? e.message : (e as Error).stack}\n`);
  process.exit(1);
});
