/** Runs the real binary in its own process, as a user's script would. */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface CliResult { exitCode: number; stdout: string; stderr: string; json: any }

export async function xgt(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  const r = await execa('node', [BIN, ...args], {
    reject: false, env: { NO_COLOR: '1', ...env }, input, stripFinalNewline: false,
  });
  let json: unknown;
  try { json = JSON.parse(r.stdout); } catch { json = undefined; }
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}
