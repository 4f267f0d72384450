/**
 * A native `xgt batch` run inside the agent: the CLI sends its script and its environment (for
 * $VAR), the agent reads the lines and runs each through the very commands the CLI would (the
 * fast bundle), on its own devices in-process, and streams back their output. A line thus costs
 * its ioctls and a little warm JavaScript, not a round trip between two processes.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { refused } from '../../errors.js';
import type { Backend } from '../../backend/types.js';
import type { BatchRun } from '../../cli/batch-lines.js';
import type { StepProbe } from '../../cli/batch-pipeline.js';
import { packageRoot } from '../../package-root.js';
import { asJson } from './as-json.js';
import { NativeBackend } from '../backend.js';
import type { NativeHost } from './host.js';

/** Declined: a line is not for the agent, or (`stale`) xgt on disk is no longer the agent's build. */
export type BatchOutcome = BatchRun | { declined: true; stale?: true };
type RunBatchScript = (text: string, env: NodeJS.ProcessEnv, keepGoing: boolean, backend: Backend,
  send: (text: string) => void, probe?: StepProbe) => Promise<BatchOutcome>;

let runScript: Promise<RunBatchScript> | undefined;

function parseArgs(args: unknown[]): [string, NodeJS.ProcessEnv, boolean] {
  const [text, env, keepGoing] = args;
  const ok = typeof text === 'string' && typeof keepGoing === 'boolean' && env !== null && typeof env === 'object'
    && !Array.isArray(env) && Object.values(env).every((v) => typeof v === 'string');
  if (!ok) throw refused('EINVAL', 'batch.run', 'batch.run takes [script text, {environment}, keep going (boolean)]');
  return [text, env as NodeJS.ProcessEnv, keepGoing];
}

/**
 * host.call with what the socket would do to it: nulls for undefined, results as JSON. The
 * probe records what the call did at once, for the pipelined batch (src/cli/batch-pipeline.ts).
 */
function callAsIfRemote<T>(host: NativeHost, op: string, args: unknown[], probe: StepProbe): Promise<T> {
  probe.calls++;
  let result: unknown;
  try {
    result = host.run(op, args.map((v) => v ?? null));
  } catch (e) {
    probe.refused = true;
    return Promise.reject(e);
  }
  if (result instanceof Promise) {
    probe.pending = true;
    return result.then((r) => asReply<T>(r));
  }
  return Promise.resolve(asReply<T>(result));
}

const asReply = <T>(result: unknown) => asJson(result ?? null) as T;

export async function runBatchInAgent(host: NativeHost, args: unknown[], send: (text: string) => void): Promise<BatchOutcome> {
  const [text, env, keepGoing] = parseArgs(args);
  // the lines would run on commands loaded from disk, and those may now be another build's
  if (host.build.stale) return { declined: true, stale: true };
  runScript ??= import(pathToFileURL(join(packageRoot(), 'dist/xgt-fast.mjs')).href)
    .then((m: { runBatchScript: RunBatchScript }) => m.runBatchScript);
  const run = await runScript;
  // the lines' own calls go straight to this agent's devices, never through its socket
  const probe: StepProbe = { calls: 0, refused: false, pending: false };
  const link = { call: <T>(op: string, ...a: unknown[]) => callAsIfRemote<T>(host, op, a, probe), close() {} };
  const backend = new NativeBackend(link, host.domid);
  const began = performance.now();
  const outcome = await run(text, env, keepGoing, backend, send, probe);
  // how long the lines took here, for XGT_BATCH_TIMING's account of where a batch's time went
  return 'declined' in outcome ? outcome : { ...outcome, ms: performance.now() - began };
}
