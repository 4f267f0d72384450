/**
 * The parts of `xgt batch` that do not depend on where the lines run: reading a line as the
 * shell would, running one line as its own command on a loaded config, and the loop with its
 * group flushes. The batch command runs it in the CLI; the agent runs its lines for a native
 * batch (batch-pipeline.ts), so that a line costs no round trip between two processes.
 */
import { parse as parseShellWords } from 'shell-quote';
import { usage, XgtError } from '../errors.js';
import { hoistGlobalFlags } from './argv.js';
import { jsonLine, lineFailure, opOf } from './base.js';
import type { Call } from './batch-calls.js';
import type { BatchContext } from './batch-context.js';
import { isFallback } from './lite/fallback.js';
import type { CommandClass, LiteConfig } from './lite/dispatch.js';

/**
 * A line of the script: its number, its text (trimmed: what a repeat of it is known by, see
 * LineRunner), and its words or the usage error that makes it no command.
 */
export interface BatchLine { n: number; text: string; words: string[] | XgtError }

/** What a batch did: how many lines it ran, and the exit code of the first that failed (else 0). */
export interface BatchRun {
  ran: number;
  firstFailure: number;
  /** how long the agent spent on the lines (a native batch) */
  ms?: number;
  /** how many lines ran as a replay of an earlier one (see XgtCommand.replayable) */
  replayed?: number;
}

/**
 * A line with nothing a shell would treat specially (no quotes, backslashes, $, globs, operators,
 * comments): its words are what splitting at blanks gives. Nearly every line of a script is one,
 * and the shell parser costs far more per line (a script is read once, often by a fresh process).
 */
const PLAIN_LINE = /^[A-Za-z0-9_.,:=/@%+ \t-]*$/;

/** The words of a trimmed line, as a shell splits them; $VAR from `env`. */
export function shellWords(trimmed: string, env: NodeJS.ProcessEnv): ReturnType<typeof parseShellWords> {
  return PLAIN_LINE.test(trimmed) ? trimmed.split(/[ \t]+/) : parseShellWords(trimmed, (name) => env[name] ?? '');
}

/**
 * The script's lines, split like a shell does, with $VAR from the environment; blanks and comments
 * dropped. A repeated line shares its first occurrence's words (never changed once read): a script
 * is mostly a few lines repeated, and splitting them again would be most of reading it.
 */
export function readBatchLines(text: string, env: NodeJS.ProcessEnv = process.env): BatchLine[] {
  const out: BatchLine[] = [];
  const seen = new Map<string, string[]>();
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const trimmed = raw[i].trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    let words: string[] | XgtError | undefined = seen.get(trimmed);
    if (!words) {
      const parsed = shellWords(trimmed, env);
      if (parsed.every((w) => typeof w === 'string')) seen.set(trimmed, (words = hoistGlobalFlags(parsed as string[])));
      else words = usage('batch', `line ${i + 1}: shell operators are not supported`);
    }
    out.push({ n: i + 1, text: trimmed, words });
  }
  return out;
}

/**
 * What a native batch may hand to the agent to run there: commands that only use the devices,
 * with nothing that depends on the client process (its files, its stdin, another backend or domain).
 */
export const AGENT_COMMANDS = new Set(['gnttab grant', 'gnttab ungrant', 'gnttab map', 'gnttab unmap', 'gnttab list',
  'gnttab read', 'gnttab write', 'gnttab limit', 'evtchn bind', 'evtchn notify', 'evtchn unbind', 'evtchn wait',
  'evtchn list', 'dmop create-ioreq-server', 'dmop destroy-ioreq-server', 'dmop map-mem-type', 'dmop set-mem-type', 'dmop list']);
const CLIENT_ONLY_WORDS = new Set(['--backend', '--state', '--as', '--file', '--help', '--version', '--']);

const flagName = (w: string) => (w.includes('=') ? w.slice(0, w.indexOf('=')) : w);

export function agentMayRun(lines: BatchLine[]): boolean {
  // a repeated line shares its words (readBatchLines): each is looked at once
  const checked = new Set<string[]>();
  return lines.length > 0 && lines.every(({ words }) => Array.isArray(words) && (checked.has(words) || (agentMayRunWords(words) && !!checked.add(words))));
}

const agentMayRunWords = (words: string[]) => AGENT_COMMANDS.has(`${words[0]} ${words[1]}`)
  && !words.some((w) => w.startsWith('--') && CLIENT_ONLY_WORDS.has(flagName(w)));

/** `evtchn wait`, whether it may block or not. */
export const isWait = (words: string[]) => words[0] === 'evtchn' && words[1] === 'wait';

/** `evtchn wait` that can block (not `--timeout 0`). */
export function mayBlock(words: string[]): boolean {
  if (!isWait(words)) return false;
  const k = words.indexOf('--timeout');
  return !(words.includes('--timeout=0') || (k !== -1 && words[k + 1] === '0'));
}

export type ConfigLike = { findCommand(id: string): { load(): Promise<unknown> } | undefined };

/** A replayable line's backend step, kept to run its repeats (see XgtCommand.replayable). */
export interface Replay {
  step: () => Promise<unknown>;
  op: string;
  /** the one call the step was seen to make and answer with, where a repeat may make just that (batch-pipeline.ts) */
  call?: Call;
}

/** A failed line's output: its error envelope, as the command's --json prints it. */
const errorText = (e: XgtError) => jsonLine({ error: e.toJSON() });

/** Distinct lines whose steps a batch keeps: a script repeats a few lines, or its lines are all different. */
const MAX_REPLAYS = 4096;

/**
 * Per config (the fast path's, and oclif's for lines it declines): id → class, loaded once for
 * every batch an agent runs (each load is a trip through the module loader).
 */
const commandClasses = new WeakMap<ConfigLike, Map<string, CommandClass>>();

/** Runs lines as commands on an already loaded config (oclif's, or the fast path's). */
export class LineRunner {
  private readonly ids: Set<string>;
  /** the most words a command id has */
  private readonly idDepth: number;

  /**
   * by line (its text: within a batch the same text always gives the same words, the
   * environment being the batch's): the step of a replayable line already run in this batch
   */
  private readonly replays = new Map<string, Replay>();
  /** lines run as replays so far */
  replayed = 0;

  /** replay: run a repeated replayable line by its first run's step, without its command */
  constructor(private readonly config: ConfigLike & { commandIDs: string[] }, readonly batch: BatchContext,
    readonly replay = true) {
    this.ids = new Set(config.commandIDs);
    this.idDepth = Math.max(...config.commandIDs.map((id) => id.split(':').length));
  }

  report(e: XgtError, ctx: BatchContext = this.batch): number {
    ctx.output.push(errorText(e));
    return e.exitCode;
  }

  /**
   * A line's own context: the batch's pool and output, and its own exit code (a pipelined line
   * also gets its own output and step: see batch-pipeline.ts).
   */
  lineContext(): BatchContext {
    const ctx = Object.create(this.batch) as BatchContext;
    ctx.failed = 0;
    return ctx;
  }

  /** The kept step that runs a repeat of the line with this text, if it is one (and replay is on). */
  replayOf(text: string): Replay | undefined {
    return this.replay ? this.replays.get(text) : undefined;
  }

  /** Runs one line (its words and text) as its own command, with --json; returns its exit code. */
  async run(words: string[], n: number, text: string, batch: BatchContext = this.lineContext()): Promise<number> {
    const replay = this.replayOf(text);
    if (replay) return this.runAgain(replay, batch);
    // the line its step is kept under, if its command is replayable ('': not kept)
    const line = this.replay ? text : '';
    let take = 0;
    let id = '';
    for (let k = Math.min(words.length, this.idDepth); k > 0; k--) {
      let candidate = words[0];
      for (let j = 1; j < k; j++) candidate += `:${words[j]}`;
      if (this.ids.has(candidate)) { take = k; id = candidate; break; }
    }
    if (!take || id === 'batch') {
      return this.report(usage('batch', `line ${n}: ${take ? 'batch cannot run batch' : `unknown command '${words.slice(0, 2).join(' ')}'`}`), batch);
    }
    // --json first: after a stray "--" in the line it would be taken for an argument
    const argv = ['--json'];
    for (let j = take; j < words.length; j++) if (words[j] !== '--json') argv.push(words[j]);
    try {
      try {
        await this.runCommand(this.config, id, argv, batch, line);
      } catch (err) {
        if (!isFallback(err)) throw err;
        // the fast path declined the line (nothing ran): oclif runs it, and words its errors
        await this.runCommand(await (this.config as unknown as LiteConfig).fullConfig(), id, argv, batch, line);
      }
    } catch (err) {
      return this.report(err instanceof XgtError ? err : usage(id.replace(/:/g, '.'), (err as Error).message), batch);
    }
    return batch.failed;
  }

  /**
   * A repeat of a replayable line: its first run's step again, its result printed and its
   * failure reported as the command would (XgtCommand's _run and catch) — without the command
   * object, the flag parser and their promises, most of a line's cost where a call is cheap.
   */
  private async runAgain(replay: Replay, batch: BatchContext): Promise<number> {
    try {
      const text = this.replayedResult(await (batch.defer ? batch.defer(replay.step) : replay.step()));
      if (text) batch.output.push(text);
      return 0;
    } catch (err) {
      const { text, code } = this.replayedFailure(err, replay);
      batch.failed = code;
      batch.output.push(text);
      return code;
    }
  }

  /** A replayed line's output, as runAgain prints it: its result, or its failure and exit code. */
  replayedResult(result: unknown): string | undefined {
    this.replayed++;
    return result ? jsonLine(result) : undefined;
  }

  replayedFailure(err: unknown, replay: Replay): { text: string; code: number } {
    this.replayed++;
    const e = lineFailure(err, replay.op);
    return { text: errorText(e), code: e.exitCode };
  }

  /**
   * Straight to the command with a loaded config: Command.run would reload the whole config
   * (package.json, manifest, plugins) for every line.
   */
  private runCommand(config: ConfigLike, id: string, argv: string[], batch: BatchContext, line: string): Promise<unknown> {
    let byId = commandClasses.get(config);
    if (!byId) commandClasses.set(config, (byId = new Map()));
    const cls = byId.get(id);
    if (!cls) {
      return config.findCommand(id)!.load().then((loaded) => {
        byId.set(id, loaded as CommandClass);
        return this.runCommand(config, id, argv, batch, line);
      });
    }
    const cmd = new cls(argv, config as never);
    cmd.id = id;
    cmd.batch = batch;
    if (line && (cls as { replayable?: boolean }).replayable && this.replays.size < MAX_REPLAYS) {
      cmd.onStep = (step) => this.replays.set(line, { step, op: opOf(id) });
    }
    // not async: the line waits on the command itself, not on a wrapper around it too
    return cmd._run();
  }
}

export interface LoopOptions {
  keepGoing: boolean;
  /** commits pending work and prints pending output */
  flush(): void;
  /** flush after this many lines, or this long since the last flush */
  groupLines: number;
  groupMs: number;
}

/** Commits and output in groups: every groupLines lines or groupMs, and whenever asked. */
export class Grouper {
  private pending = 0;
  private since = Date.now();

  constructor(private readonly o: LoopOptions) {}

  flush(): void {
    this.o.flush();
    this.pending = 0;
    this.since = Date.now();
  }

  /** A line has run. */
  ran(): void {
    if (++this.pending >= this.o.groupLines || Date.now() - this.since >= this.o.groupMs) this.flush();
  }
}

/** The batch loop: stops at the first failure unless keepGoing; the exit code is the first failure's. */
export async function runBatchLoop(lines: BatchLine[], runner: LineRunner, o: LoopOptions): Promise<BatchRun> {
  const groups = new Grouper(o);
  let firstFailure = 0;
  let ran = 0;
  for (const { n, words, text } of lines) {
    ran++;
    let code: number;
    if (!Array.isArray(words)) code = runner.report(words);
    else {
      // a wait may block: whatever came before must be committed and printed first, since
      // the other side may need to read it to send the event
      if (mayBlock(words)) groups.flush();
      code = await runner.run(words, n, text);
    }
    groups.ran();
    if (code !== 0 && firstFailure === 0) firstFailure = code;
    if (code !== 0 && !o.keepGoing) break;
  }
  groups.flush();
  return { ran, firstFailure };
}

