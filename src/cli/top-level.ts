/** Errors raised before any command runs (unknown command or topic): one line, exit 2. */
import { Errors } from '@oclif/core';
import { usage } from '../errors.js';
import { errorLine } from './base.js';
import { unknownCommand } from './usage-words.js';
import { colourReady } from './output.js';
import { writeErr, writeOut } from './stdio.js';

/** `ids`: every command's id, for "did you mean …?". */
export async function reportTopLevelError(err: unknown, argv: string[], ids: readonly string[] = []): Promise<void> {
  if (err instanceof Errors.ExitError) {
    process.exitCode = err.oclif.exit;
    return;
  }
  const msg = err instanceof Error ? err.message : String(err);
  const typed: string[] = [];
  for (const w of argv) {
    if (w.startsWith('-') || typed.length === 2) break;
    typed.push(w);
  }
  const e = usage('xgt', /not found/.test(msg) && typed.length ? unknownCommand(typed, ids) : msg.split('\n')[0]);
  process.exitCode = e.exitCode;
  await colourReady();
  if (argv.includes('--json')) writeOut(`${JSON.stringify({ error: e.toJSON() })}\n`);
  else writeErr(`${errorLine(e)}\n`);
}
