import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { resolveBackendName } from '../backend/select.js';
import type { Backend } from '../backend/types.js';
import type { BatchContext } from '../cli/batch-context.js';
import { LineRunner, readBatchLines, runBatchLoop, type BatchLine } from '../cli/batch-lines.js';
import { XgtCommand } from '../cli/base.js';
import { usage, XgtError } from '../errors.js';

/** Group commit: a commit (and the output it makes true) every 64 lines or 5 ms. */
const GROUP_LINES = 64;
const GROUP_MS = 5;

/**
 * What a native batch may hand to the agent to run there: commands that only use the devices,
 * with nothing that depends on this process (its files, its stdin, another backend or domain).
 */
const AGENT_COMMANDS = new Set(['gnttab grant', 'gnttab ungrant', 'gnttab map', 'gnttab unmap', 'gnttab list',
  'gnttab read', 'gnttab write', 'gnttab limit', 'evtchn bind', 'evtchn notify', 'evtchn unbind', 'evtchn wait',
  'evtchn list', 'dmop create-ioreq-server', 'dmop destroy-ioreq-server', 'dmop map-mem-type', 'dmop set-mem-type', 'dmop list']);
const CLIENT_ONLY_WORDS = new Set(['--backend', '--state', '--as', '--file', '--help', '--version', '--']);

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
    const lines = readBatchLines(text);
    const keepGoing = flags['keep-going'];
    const { ran, firstFailure } = (await this.inAgent(flags, lines, keepGoing)) ?? await this.runHere(flags, lines, keepGoing);
    process.exitCode = firstFailure;
    if (!this.jsonEnabled()) process.stderr.write(`batch: ${ran} command(s) run${firstFailure ? `, stopped or failed with exit ${firstFailure}` : ''}\n`);
  }

  private async runHere(flags: { backend: string; state?: string; as?: number }, lines: BatchLine[], keepGoing: boolean) {
    // the batch's own global flags become every line's defaults
    if (flags.state !== undefined) process.env.XGT_STATE = flags.state;
    if (flags.as !== undefined) process.env.XGT_AS = String(flags.as);
    process.env.XGT_BACKEND = flags.backend;
    const pool = new Map<string, Backend>();
    const output: string[] = [];
    const ctx: BatchContext = { pool, output, failed: 0 };
    try {
      // lines run as savepoints of one transaction, committed in groups; output is printed only
      // once committed, so a killed batch never printed a result that did not land
      return await runBatchLoop(lines, new LineRunner(this.config, ctx), {
        keepGoing, groupLines: GROUP_LINES, groupMs: GROUP_MS,
        flush: () => {
          for (const b of pool.values()) b.flushBatch?.();
          if (output.length) process.stdout.write(output.splice(0).join(''));
        },
      });
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
  private async inAgent(flags: { backend: 'auto' | 'emu' | 'native'; as?: number }, lines: BatchLine[], keepGoing: boolean) {
    if (process.env.XGT_BATCH_IN_AGENT === '0' || flags.as !== undefined || lines.length === 0) return undefined;
    if (resolveBackendName(flags.backend) !== 'native') return undefined;
    const eligible = lines.every(({ words }) => !(words instanceof XgtError)
      && AGENT_COMMANDS.has(words.slice(0, 2).join(' ')) && !words.some((w) => CLIENT_ONLY_WORDS.has(w.split('=')[0])));
    if (!eligible) return undefined;
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
      return await agent.stream<{ ran: number; firstFailure: number }>('batch.run',
        [lines.map((l) => ({ n: l.n, words: l.words })), keepGoing], (text: string) => process.stdout.write(text));
    } finally {
      agent.close();
    }
  }
}
