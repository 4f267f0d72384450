/**
 * A native `xgt batch` run inside the agent: the CLI sends the lines (already split, with its
 * environment's $VARs expanded), the agent runs each through the very commands the CLI would
 * (the fast bundle), on its own devices in-process, and streams back their output. A line thus
 * costs its ioctls and a little JavaScript, not a round trip between two processes.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { refused } from '../../errors.js';
import type { Backend } from '../../backend/types.js';
import type { BatchLine } from '../../cli/batch-lines.js';
import { packageRoot } from '../../package-root.js';
import { NativeBackend } from '../backend.js';
import type { NativeHost } from './host.js';

type RunBatchLines = (lines: BatchLine[], keepGoing: boolean, backend: Backend, send: (text: string) => void) => Promise<{ ran: number; firstFailure: number }>;

let runLines: Promise<RunBatchLines> | undefined;

function parseLines(x: unknown): BatchLine[] {
  const ok = Array.isArray(x) && x.every((l) => l && typeof l === 'object' && Number.isInteger((l as BatchLine).n)
    && Array.isArray((l as BatchLine).words) && ((l as { words: unknown[] }).words).every((w) => typeof w === 'string'));
  if (!ok) throw refused('EINVAL', 'batch.run', 'lines must be [{"n": line number, "words": [strings]}]');
  return x as BatchLine[];
}

/** host.call with what the socket would do to it: nulls for undefined, results as JSON. */
async function callAsIfRemote<T>(host: NativeHost, op: string, args: unknown[]): Promise<T> {
  const result = await host.call(op, args.map((v) => v ?? null));
  return JSON.parse(JSON.stringify(result ?? null)) as T;
}

export async function runBatchInAgent(host: NativeHost, args: unknown[], send: (text: string) => void) {
  const lines = parseLines(args[0]);
  const keepGoing = args[1] === true;
  runLines ??= import(pathToFileURL(join(packageRoot(), 'dist/xgt-fast.mjs')).href)
    .then((m: { runBatchLines: RunBatchLines }) => m.runBatchLines);
  const run = await runLines;
  // the lines' own calls go straight to this agent's devices, never through its socket
  const link = { call: <T>(op: string, ...a: unknown[]) => callAsIfRemote<T>(host, op, a), close() {} };
  const backend = new NativeBackend(link, host.domid);
  return run(lines, keepGoing, backend, send);
}
