/** Entry point of the agent process (started on demand by the first native command). */
import { XgtError } from '../../errors.js';
import { runAgent } from './server.js';

// the environment of whichever command started the agent must not steer the batches it runs
for (const name of ['XGT_BACKEND', 'XGT_STATE', 'XGT_AS', 'XGT_CONTENT_TYPE']) delete process.env[name];

runAgent().catch((e: unknown) => {
  process.stderr.write(`xgt agent: ${e instanceof XgtError ? e.message : (e as Error).stack}\n`);
  process.exit(1);
});
