/**
 * `--trace FILE` (or XGT_TRACE): every command — each line of a batch too — appends one JSON
 * line to FILE: what was run and what it answered, `{"argv", "backend", "as", "exit", "output"}`,
 * `output` being the JSON it printed or would have with --json. `xgt replay` runs such a file
 * again and compares (replay.ts).
 */
import { appendFileSync } from 'node:fs';
import type { BackendName } from '../backend/types.js';
import { usage } from '../errors.js';
import { GLOBAL_WITH_VALUE } from './argv.js';

export interface TraceEntry { argv: string[]; backend: BackendName; as: number | null; exit: number; output: unknown }

/** A command's own words and flags, the global flags left out (replay chooses its own backend and state). */
export function commandArgv(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const name = w.split('=')[0];
    if (w === '--json') continue;
    if (GLOBAL_WITH_VALUE.has(name)) {
      if (!w.includes('=')) i++;
      continue;
    }
    out.push(w);
  }
  return out;
}

/** The value a global flag has on this command line, else from its environment variable. */
export function globalValue(words: readonly string[], flag: string, env: string): string | undefined {
  for (let i = words.length - 1; i >= 0; i--) {
    if (words[i] === flag && i + 1 < words.length) return words[i + 1];
    if (words[i].startsWith(`${flag}=`)) return words[i].slice(flag.length + 1);
  }
  return process.env[env] || undefined;
}

/** Appends the entry (nothing: only checks the file can be appended to). */
export function appendTrace(file: string, e?: TraceEntry): void {
  try {
    // one write(2) of one line to a file opened O_APPEND: processes tracing to one file do not interleave
    appendFileSync(file, e ? `${JSON.stringify({ argv: e.argv, backend: e.backend, as: e.as, exit: e.exit, output: e.output })}\n` : '');
  } catch (err) {
    throw usage('trace', `--trace: cannot append to ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** What a batch line printed, as the command's own JSON: without its line number, a bare result unwrapped. */
export function lineOutput(text: string): unknown {
  const { line: _n, ...json } = JSON.parse(text) as { line: number; result?: unknown };
  return 'result' in json && Object.keys(json).length === 1 ? json.result : json;
}
