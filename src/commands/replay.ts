import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { BackendPool } from '../backend/pool.js';
import { XgtCommand } from '../cli/base.js';
import { BatchRunner, type CommandSource } from '../cli/batch-run.js';
import { differs, Pairing } from '../cli/replay.js';
import { lineOutput, type TraceEntry } from '../cli/trace.js';
import type { Plan } from '../cli/plan.js';
import { refused, usage } from '../errors.js';
import { table } from '../cli/output.js';
import { writeOut } from '../cli/stdio.js';

interface Divergence { line: number; argv: string[]; expected: { exit: number; output: unknown }; got: { exit: number; output: unknown } }
interface Report { commands: number; paired: Record<string, Record<string, number>>; divergences: Divergence[] }

export default class Replay extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"commands", "paired": {"ref" | "index" | "port" | "domid" | "id": {"traced": replayed}}, "divergences": [{"line", "argv", "expected": {"exit", "output"}, "got": {"exit", "output"}}]}';
  static summary = 'Run a --trace file again and compare every exit code, error code and output with it';
  static description = `Runs the traced commands in order, as the domain each acted as, on --backend (default emu) and
--state, and compares each with what the trace recorded. Numbers a backend hands out (refs,
indices, ports, domain and server ids) are paired rather than required equal: the first time
the replay hands out another number, the two are paired, and later arguments and outputs are
read through that pairing. Stops at the first divergence unless --keep-going; exits 1 if there
was one. Error messages are not compared, their codes are.`;
  static examples = [
    '<%= config.bin %> replay session.trace',
    '<%= config.bin %> replay session.trace --state capture.db --keep-going --json',
  ];
  static args = { file: Args.string({ ignoreStdin: true, required: true, description: 'a file written by --trace' }) };
  static flags = { 'keep-going': Flags.boolean({ summary: 'compare every command, whatever diverges', default: false }) };

  plan(): Plan {
    throw usage(this.op, 'replay runs commands itself');
  }

  async run(): Promise<Report> {
    const { args, flags } = await this.parse(Replay);
    const entries = readTrace(this.op, args.file);
    // the replay's own flags choose the backend; its commands are not traced again
    process.env.XGT_BACKEND = flags.backend === 'auto' ? 'emu' : flags.backend;
    if (flags.state !== undefined) process.env.XGT_STATE = flags.state;
    delete process.env.XGT_TRACE;
    delete process.env.XGT_AS;
    const pairing = new Pairing();
    const report: Report = { commands: 0, paired: {}, divergences: [] };
    const runner = new BatchRunner(this.config as unknown as CommandSource);
    const pool = new BackendPool();
    try {
      for (const [i, e] of entries.entries()) {
        const as = e.as ?? 0;
        const argv = pairing.rewrite(e.argv, as);
        const words = e.as === null ? argv : [...argv, '--as', String(pairing.get('domid', 0, e.as))];
        let printed = '';
        const run = await runner.run([{ n: i + 1, words }], { keepGoing: true, pool, print: (t) => { printed += t; } });
        const output = lineOutput(printed);
        report.commands++;
        const got = { exit: run.firstFailure, output };
        if (got.exit !== e.exit || differs(e.output, output, pairing, e.argv, as) !== undefined) {
          report.divergences.push({ line: i + 1, argv: e.argv, expected: { exit: e.exit, output: e.output }, got });
          if (!flags['keep-going']) break;
        }
      }
    } finally {
      pool.close();
    }
    report.paired = pairing.differing();
    if (!this.jsonEnabled()) writeOut(`${render(report)}\n`);
    if (report.divergences.length) process.exitCode = 1;
    return report;
  }
}

function readTrace(op: string, file: string): TraceEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw usage(op, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return text.split('\n').filter((l) => l.trim() !== '').map((l, i) => {
    let e: TraceEntry;
    try {
      e = JSON.parse(l) as TraceEntry;
    } catch {
      throw usage(op, `${file}:${i + 1}: not a trace line (JSON expected)`);
    }
    if (!Array.isArray(e.argv) || !e.argv.every((w) => typeof w === 'string') || typeof e.exit !== 'number'
      || !(e.as === null || Number.isInteger(e.as))) {
      throw usage(op, `${file}:${i + 1}: not a trace line ({"argv", "backend", "as", "exit", "output"} expected)`);
    }
    if (e.argv[0] === 'replay' || e.argv[0] === 'batch') throw refused('EINVAL', op, `${file}:${i + 1}: ${e.argv[0]} is not replayed`);
    return e;
  });
}

function render(r: Report): string {
  const head = `${r.commands} command(s) replayed, ${r.divergences.length} divergence(s)`;
  if (!r.divergences.length) return head;
  return `${head}\n${table(['Line', 'Command', 'Expected', 'Got'], r.divergences.map((d) => [d.line, d.argv.join(' '),
    `exit ${d.expected.exit} ${JSON.stringify(d.expected.output)}`.slice(0, 120), `exit ${d.got.exit} ${JSON.stringify(d.got.output)}`.slice(0, 120)]))}`;
}
