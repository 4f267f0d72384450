import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { BackendPool } from '../backend/pool.js';
import { XgtCommand } from '../cli/base.js';
import { BatchRunner, msNow, type CommandSource } from '../cli/batch-run.js';
import { readScript, syntaxError } from '../cli/batch-script.js';
import type { Plan } from '../cli/plan.js';
import { usage } from '../errors.js';
import { writeErr, writeOut } from '../cli/stdio.js';
import { appendTrace } from '../cli/trace.js';

export default class Batch extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = 'one JSON line per script line: the line\'s own result (or {"error"}), with "line" (its number) first';
  static summary = 'Run one command per line (without the leading xgt) in one process; one JSON line per command';
  static description = 'Lines are split like a shell does (quotes, backslashes); empty lines and # comments are skipped, and a leading xgt is optional. '
    + 'A script with an unterminated quote runs nothing (exit 2). Each result line carries its line number ("line"). '
    + '$VAR and ${VAR} expand from the environment. Stops at the first failure, with its exit code, unless --keep-going. '
    + 'Global flags given to batch apply to every line.';
  static examples = ['<%= config.bin %> batch script.txt', 'printf "gnttab grant --to 0\\ngnttab list\\n" | <%= config.bin %> batch'];
  static args = { file: Args.string({ ignoreStdin: true, description: "the script ('-' or nothing: stdin)" }) };
  static flags = { 'keep-going': Flags.boolean({ summary: 'run every line, whatever fails', default: false }) };

  /** A batch is a list of plans, not one: it runs them itself. */
  plan(): Plan {
    throw usage(this.op, 'batch cannot run batch');
  }

  async run() {
    const { args, flags } = await this.parse(Batch);
    // On one CPU the optimising compiler's background work takes turns with the batch itself and,
    // natively, with the agent it is waiting for; a batch's lines are short and varied, so it
    // rarely repays that (docs/PERFORMANCE.md has the measurement).
    if (availableParallelism() === 1) {
      // (node:v8 loaded only then: it brings Node's streams with it, a few milliseconds of start-up)
      const v8 = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
      v8.setFlagsFromString('--no-opt');
    }
    let text: string;
    try {
      text = readFileSync(args.file === undefined || args.file === '-' ? 0 : args.file, 'utf8');
    } catch (e) {
      throw usage(this.op, `cannot read ${args.file ?? 'stdin'}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    // a script a shell would refuse to read runs no line at all
    const syntax = syntaxError(text);
    if (syntax) throw syntax;
    if (flags.trace) appendTrace(flags.trace); // refused before any line runs when it cannot be written
    const started = msNow();
    const cpu = process.cpuUsage();
    // the batch's own global flags become every line's defaults
    if (flags.state !== undefined) process.env.XGT_STATE = flags.state;
    if (flags.as !== undefined) process.env.XGT_AS = String(flags.as);
    process.env.XGT_BACKEND = flags.backend;
    const pool = new BackendPool();
    let run;
    try {
      run = await new BatchRunner(this.config as unknown as CommandSource).run(readScript(text), {
        keepGoing: flags['keep-going'], pool, print: writeOut, trace: flags.trace,
      });
    } finally {
      pool.close();
    }
    const ms = msNow() - started;
    process.exitCode = run.firstFailure;
    if (!this.jsonEnabled()) {
      const outcome = run.stoppedAt !== undefined ? `; stopped at line ${run.stoppedAt} (exit ${run.firstFailure})`
        : run.firstFailure ? `; exit ${run.firstFailure}, the first failure's` : '';
      writeErr(`batch: ${run.ran} line(s) run, ${run.ran - run.failed} succeeded, ${run.failed} failed${outcome}\n`);
    }
    if (process.env.XGT_BATCH_TIMING === '1') {
      const used = process.cpuUsage(cpu);
      writeErr(`batch timing: ${run.ran} line(s) in ${ms.toFixed(1)} ms, ${ms > 0 ? Math.round(run.ran / (ms / 1000)) : 0}/s `
        + `(from the script read to the last result; ${run.backendMs.toFixed(1)} ms of it waiting for the backend; `
        + `this process's CPU ${((used.user + used.system) / 1000).toFixed(1)} ms)\n`);
    }
  }
}
