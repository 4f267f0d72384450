import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { resolveBackendName } from '../backend/select.js';
import type { Backend } from '../backend/types.js';
import type { BatchContext } from '../cli/batch-context.js';
import { LineRunner, readBatchLines, runBatchLoop } from '../cli/batch-lines.js';
import type { BatchOutcome } from '../native/agent/batch.js';
import { RAW_OUTPUT } from '../native/frames.js';
import { XgtCommand } from '../cli/base.js';
import { usage, XgtError } from '../errors.js';
import { writeErr, writeOut } from '../cli/stdio.js';

/** Group commit: a commit (and the output it makes true) every 64 lines or 5 ms. */
const GROUP_LINES = 64;
const GROUP_MS = 5;

export default class Batch extends XgtCommand {
  static summary = 'Run one command per line (without the leading xgt) in one process; one JSON line per command';
  static description = 'Lines are split like a shell does (quotes, backslashes); empty lines and # comments are skipped. '
    + '$VAR and ${VAR} expand from the environment. Stops at the first failure, with its exit code, unless --keep-going. '
    + 'Global flags given to batch apply to every line.';
  static examples = ['<%= config.bin %> batch script.txt', 'printf "gnttab grant --to 0\\ngnttab list\\n" | <%= config.bin %> batch'];
  static args = { file: Args.string({ ignoreStdin: true, description: "the script ('-' or nothing: stdin)" }) };
  static flags = { 'keep-going': Flags.boolean({ summary: 'run every line, whatever fails', default: false }) };

  async run() {
    const { args, flags } = await this.parse(Batch);
    let text: string;
    try {
      text = readFileSync(args.file === undefined || args.file === '-' ? 0 : args.file, 'utf8');
    } catch (e) {
      throw usage(this.op, `cannot read ${args.file ?? 'stdin'}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const keepGoing = flags['keep-going'];
    const byAgent = await this.inAgent(flags, text, keepGoing);
    const { ran, firstFailure, replayed } = byAgent ?? await this.runHere(flags, text, keepGoing);
    // the batch's own time ends with its last result, before the summary below
    const ms = performance.now() - this.started;
    const cpu = process.cpuUsage(this.cpuAtStart);
    process.exitCode = firstFailure;
    if (!this.jsonEnabled()) writeErr(`batch: ${ran} command(s) run${firstFailure ? `, stopped or failed with exit ${firstFailure}` : ''}\n`);
    if (process.env.XGT_BATCH_TIMING === '1') {
      writeErr(`batch timing: ${ran} line(s) in ${ms.toFixed(1)} ms, ${ms > 0 ? Math.round(ran / (ms / 1000)) : 0}/s, `
        + `run by ${byAgent ? 'the agent' : 'this process'} (from the script read to the last result; `
        + `${byAgent?.ms !== undefined ? `the agent's batch ${byAgent.ms.toFixed(1)} ms, ` : ''}`
        + `${replayed ? `${replayed} repeated line(s) replayed, ` : ''}`
        + `this process's CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms)\n`);
    }
  }

  /** When the lines began: the script read and the backend chosen, node's and the command's start-up behind. */
  private started = 0;
  private cpuAtStart = process.cpuUsage();

  private async runHere(flags: { backend: string; state?: string; as?: number }, text: string, keepGoing: boolean) {
    this.started = performance.now();
    this.cpuAtStart = process.cpuUsage();
    const lines = readBatchLines(text);
    // the batch's own global flags become every line's defaults
    if (flags.state !== undefined) process.env.XGT_STATE = flags.state;
    if (flags.as !== undefined) process.env.XGT_AS = String(flags.as);
    process.env.XGT_BACKEND = flags.backend;
    const pool = new Map<string, Backend>();
    const output: string[] = [];
    const ctx: BatchContext = { pool, output, failed: 0, env: { ...process.env } };
    try {
      // lines run as savepoints of one transaction, committed in groups; output is printed only
      // once committed, so a killed batch never printed a result that did not land
      const runner = new LineRunner(this.config, ctx, process.env.XGT_BATCH_REPLAY !== '0');
      const run = await runBatchLoop(lines, runner, {
        keepGoing, groupLines: GROUP_LINES, groupMs: GROUP_MS,
        flush: () => {
          for (const b of pool.values()) b.flushBatch?.();
          if (output.length) writeOut(output.splice(0).join(''));
        },
      });
      return { ...run, replayed: runner.replayed };
    } finally {
      for (const b of pool.values()) b.close();
    }
  }

  /**
   * On a Xen host the agent runs the lines itself, each on its devices directly: the same
   * commands and output, without a round trip between two processes per line — which, in a
   * dom0, costs far more than the operation. When the agent cannot be had, the lines run here
   * and each reports why, as always. XGT_BATCH_IN_AGENT=0 keeps every line here.
   */
  private async inAgent(flags: { backend: 'auto' | 'emu' | 'native'; as?: number }, text: string, keepGoing: boolean) {
    if (process.env.XGT_BATCH_IN_AGENT === '0' || flags.as !== undefined) return undefined;
    if (resolveBackendName(flags.backend) !== 'native') return undefined;
    const { nativeUnavailableReason } = await import('../native/backend.js');
    if (nativeUnavailableReason()) return undefined;
    const { AgentClient } = await import('../native/client.js');
    let agent;
    try {
      agent = await AgentClient.open();
    } catch {
      return undefined;
    }
    try {
      // the agent reads the script (with our environment, for $VAR) and declines, running
      // nothing, when a line must run here
      this.started = performance.now();
      this.cpuAtStart = process.cpuUsage();
      let printed = false;
      let outcome: BatchOutcome;
      try {
        outcome = await agent.stream<BatchOutcome>('batch.run', [text, { ...process.env }, keepGoing, RAW_OUTPUT], (out) => {
          printed = true;
          writeOut(out);
        });
      } catch (e) {
        // an agent started by an older or newer xgt may not take this request: it ran nothing
        if (!printed && e instanceof XgtError && e.op === 'batch.run' && ['EINVAL', 'ENOSYS'].includes(e.code)) return undefined;
        throw e;
      }
      if (!('declined' in outcome)) return outcome;
      if (outcome.stale) {
        writeErr('xgt: note: the agent runs another build of xgt than the one installed, so the lines run here, '
          + 'one call to it each; `xgt agent stop` restarts it on the new build (dropping its mappings and bindings)\n');
      }
      return undefined;
    } finally {
      agent.close();
    }
  }
}
