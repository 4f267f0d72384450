/** Errors raised before any command runs (unknown command or topic): one line, exit 2. */
import { Errors } from '@oclif/core';
import { usage } from '../errors.js';
import { errorLine } from './base.js';
import { colourReady } from './output.js';
import { writeErr, writeOut } from './stdio.js';

export async function reportTopLevelError(err: unknown, argv: string[]): Promise<void> {
  if (err instanceof Errors.ExitError) {
    process.exitCode = err.oclif.exit;
    return;
  }
  const msg = err instanceof Error ? err.message : String(err);
  const e = usage('xgt', msg.split('\n')[0] + (/not found/.test(msg) ? ' (see xgt --help)' : ''));
  process.exitCode = e.exitCode;
  await colourReady();
  if (argv.includes('--json')) writeOut(`${JSON.stringify({ error: e.toJSON() })}\n`);
  else writeErr(`${errorLine(e)}\n`);
}
