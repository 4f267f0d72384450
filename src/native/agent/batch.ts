/**
 * A native `xgt batch` run inside the agent: the CLI sends its script and its environment (for
 * $VAR), the agent reads the lines and runs each through the very commands the CLI would (the
 * fast bundle), on its own devices in-process, and streams back their output. A line thus costs
 * its ioctls and a little warm JavaScript, not a round trip between two processes.
 */
import { join } from 'node:path';
import { refused } from '../../errors.js';
import type { Backend } from '../../backend/types.js';
import type { BatchRun } from '../../cli/batch-lines.js';
import type { StepProbe } from '../../cli/batch-pipeline.js';
import { CallQueue, type CallMaker } from '../../cli/batch-calls.js';
import { loadFastBundle } from '../../cli/lite/bundle-loader.js';
import { packageRoot } from '../../package-root.js';
import { asJson } from './as-json.js';
import { NativeBackend } from '../backend.js';
import { NativeGnttab } from './gnttab.js';
import { agentFailure, type NativeHost } from './host.js';

/** Declined: a line is not for the agent, or (`stale`) xgt on disk is no longer the agent's build. */
export type BatchOutcome = BatchRun | { declined: true; stale?: true };
type RunBatchScript = (text: string, env: NodeJS.ProcessEnv, keepGoing: boolean, backend: Backend,
  send: (text: string) => void, probe?: StepProbe) => Promise<BatchOutcome>;

let runScript: RunBatchScript | undefined;

function parseArgs(args: unknown[]): [string, NodeJS.ProcessEnv, boolean] {
  const [text, env, keepGoing] = args;
  const ok = typeof text === 'string' && typeof keepGoing === 'boolean' && env !== null && typeof env === 'object'
    && !Array.isArray(env) && Object.values(env).every((v) => typeof v === 'string');
  if (!ok) throw refused('EINVAL', 'batch.run', 'batch.run takes [script text, {environment}, keep going (boolean)]');
  return [text, env as NodeJS.ProcessEnv, keepGoing];
}

/** host.run with what the socket would do to it: nulls for undefined, results as JSON. */
function callAsIfRemote<T>(host: NativeHost, op: string, args: unknown[]): Promise<T> {
  let result: unknown;
  try {
    result = host.run(op, args);
  } catch (e) {
    return Promise.reject(e);
  }
  return result instanceof Promise ? result.then((r) => asReply<T>(r)) : Promise.resolve(asReply<T>(result));
}

const asReply = <T>(result: unknown) => asJson(result ?? null) as T;

/**
 * The lines' link to this agent's devices for the pipelined batch: a run of grant maps and
 * unmaps is made by one device call (NativeGnttab.runTogether), anything else as it comes.
 */
const agentCalls = (host: NativeHost): CallMaker => ({
  one: ({ op, args }) => callAsIfRemote(host, op, args),
  fitTogether: (calls) => {
    let n = 0;
    while (n < calls.length && NativeGnttab.together(calls[n])) n++;
    return n;
  },
  together: (calls) => {
    const { results, failure } = host.gnttab.runTogether(calls);
    return { results: results.map((r) => asReply(r)), failure: failure === undefined ? undefined : agentFailure(failure) };
  },
});

export async function runBatchInAgent(host: NativeHost, args: unknown[], send: (text: string) => void): Promise<BatchOutcome> {
  const [text, env, keepGoing] = parseArgs(args);
  // the lines would run on commands loaded from disk, and those may now be another build's
  if (host.build.stale) return { declined: true, stale: true };
  const run = runScript ??= loadFastBundle(join(packageRoot(), 'dist/xgt-fast.cjs')).exports.runBatchScript as RunBatchScript;
  // the lines' own calls go straight to this agent's devices, never through its socket
  const probe = new CallQueue(agentCalls(host));
  const backend = new NativeBackend({ call: <T>(op: string, ...a: unknown[]) => probe.call<T>(op, a.map((v) => v ?? null)), close() {} },
    host.domid);
  const began = performance.now();
  const outcome = await run(text, env, keepGoing, backend, send, probe);
  // how long the lines took here, for XGT_BATCH_TIMING's account of where a batch's time went
  return 'declined' in outcome ? outcome : { ...outcome, ms: performance.now() - began };
}
