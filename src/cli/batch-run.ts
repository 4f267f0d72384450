/**
 * Running a batch: every line is planned by its own command, exactly as it would be from argv,
 * then carried out, and its result printed as one JSON line. Two things make a long script
 * cheap without changing what it does:
 * - on the emulator, lines are committed in groups (every GROUP_LINES lines or GROUP_MS, and
 *   before anything that may block or that works on the state file itself); a line's output is
 *   printed once its group is committed, so a killed batch never printed a result that did not land;
 * - on a backend that makes a list of calls better than one at a time (the native agent: one
 *   request, and a run of grant maps and unmaps by one device call), consecutive calls to it go
 *   as one list, of up to CHUNK calls, ending before any wait that may block: what came before a
 *   wait is printed before the wait starts, since the other side may need it to send the event.
 * Lines run in order; after a failure no later line runs, unless keepGoing.
 */
import { type Call, invoke, mayBlock, runCalls } from '../backend/calls.js';
import type { BackendPool } from '../backend/pool.js';
import type { Backend } from '../backend/types.js';
import { usage, type XgtError } from '../errors.js';
import { flagNamesOf, jsonLine, lineFailure, opOf } from './base.js';
import { unknownCommand } from './usage-words.js';
import type { ScriptLine } from './batch-script.js';
import { isFallback } from './lite/fallback.js';
import { isCall, jsonOf, perform, type Parsed, type Plan } from './plan.js';
import { resolveBackendName, type BackendChoice } from '../backend/select.js';
import { appendTrace, commandArgv, lineOutput } from './trace.js';

/** A clock for the time spent in backends (performance.now() would load Node's perf_hooks at start-up). */
export const msNow = () => Number(process.hrtime.bigint()) / 1e6;

const GROUP_LINES = 1024;
const GROUP_MS = 25;
const CHUNK = 512;

/** What a command class needs to be for a batch line: made from its argv, it plans. */
export type Planner = new (argv: string[], config: never) => {
  argv: string[]; id?: string; env?: NodeJS.ProcessEnv; parsedArgv(): Parsed | Promise<Parsed>; plan(parsed: Parsed): Plan;
};

/** Where a batch finds its lines' commands: oclif's config, or the fast path's. */
export interface CommandSource {
  readonly commandIDs: string[];
  findCommand(id: string): { load(): Promise<unknown> } | undefined;
  /** has oclif's parser read what the fast path's declines (the fast path's config only) */
  parseDeclined?(): Promise<void>;
}

export interface BatchOptions {
  keepGoing: boolean;
  pool: BackendPool;
  print(text: string): void;
  /** where each line's trace goes (trace.ts), if anywhere */
  trace?: string;
}

/**
 * How many lines ran, how many of them failed, the exit code of the first failure (else 0), the
 * line it stopped at (without keepGoing), and how long the batch waited for its backends (the
 * rest of its time is its own: reading, planning, printing).
 */
export interface BatchRun { ran: number; failed: number; firstFailure: number; backendMs: number; stoppedAt?: number }

/** A line's plan and the op its failures name, or the error that makes it no command. */
type Planned = { plan: Plan; op: string } | { error: XgtError };

/** A word of a command id: the command it ends (its id and op name), and the words that may follow. */
interface WordNode { command?: { id: string; op: string }; next: Map<string, WordNode> }

export class BatchRunner {
  /** the command ids, word by word (gnttab → map, emu → fault → add…) */
  private readonly firstWords = new Map<string, WordNode>();
  private readonly classes = new Map<string, Planner>();
  /** one command object per command, given each line's words in turn: plan() keeps nothing of a line */
  private readonly planners = new Map<string, InstanceType<Planner>>();
  /** the environment every line's flags read, taken once (lines cannot change it) */
  private readonly env: NodeJS.ProcessEnv = { ...process.env };

  constructor(private readonly source: CommandSource) {
    for (const id of source.commandIDs) {
      let level = this.firstWords;
      let node: WordNode | undefined;
      for (const word of id.split(':')) {
        node = level.get(word);
        if (!node) level.set(word, (node = { next: new Map() }));
        level = node.next;
      }
      node!.command = { id, op: opOf(id) };
    }
  }

  /**
   * A line's plan, made by its command as from argv (usage errors included) — at once when the
   * command is loaded and its parser answers at once, as the fast path's does for nearly every line.
   */
  planLine(line: ScriptLine): Planned | Promise<Planned> {
    const { words, n } = line;
    if (!Array.isArray(words)) return { error: words };
    const found = this.commandOf(words);
    if (!found || found.id === 'batch') {
      return { error: usage('batch', `line ${n}: ${found ? 'batch cannot run batch' : unknownCommand(words.slice(0, 2), this.source.commandIDs)}`) };
    }
    const argv: string[] = [];
    for (let i = found.take; i < words.length; i++) if (words[i] !== '--json') argv.push(words[i]);
    const cmd = this.planners.get(found.id);
    if (!cmd) return this.planSlowly(found, argv);
    cmd.argv = argv;
    try {
      const parsed = cmd.parsedArgv();
      return parsed instanceof Promise ? this.planSlowly(found, argv, parsed) : { plan: cmd.plan(parsed), op: found.op };
    } catch (err) {
      return isFallback(err) ? this.planSlowly(found, argv) : { error: lineFailure(err, found.op, flagNamesOf(this.classes.get(found.id))) };
    }
  }

  /**
   * A line's plan the way that may wait: its command loaded first, oclif's parser reading what the
   * fast path's declines (nothing was done), or a parse already under way.
   */
  private async planSlowly(found: { id: string; op: string }, argv: string[], parsing?: Promise<Parsed>): Promise<Planned> {
    const { id, op } = found;
    try {
      const cmd = this.command(this.classes.get(id) ?? await this.load(id), id, argv);
      let parsed: Parsed;
      try {
        parsed = await (parsing ?? cmd.parsedArgv());
      } catch (err) {
        if (!isFallback(err) || !this.source.parseDeclined) throw err;
        await this.source.parseDeclined();
        parsed = await cmd.parsedArgv();
      }
      return { plan: cmd.plan(parsed), op };
    } catch (err) {
      return { error: lineFailure(err, op, flagNamesOf(this.classes.get(id))) };
    }
  }

  async run(lines: Iterable<ScriptLine>, o: BatchOptions): Promise<BatchRun> {
    const run: BatchRun = { ran: 0, failed: 0, firstFailure: 0, backendMs: 0 };
    const waiting: string[] = [];
    let grouped = 0;
    let since = Date.now();
    const commit = () => {
      o.pool.flush();
      if (waiting.length) o.print(waiting.splice(0).join(''));
      grouped = 0;
      since = Date.now();
    };
    /** what each line ran, and on which backend, for its trace line */
    const ran = new Map<number, { words: string[]; backend?: Backend; choice?: BackendChoice }>();
    /** Records a line's outcome; false when the batch stops there. */
    const settle = (text: string, code: number, n: number): boolean => {
      waiting.push(text);
      if (o.trace) traceLine(o.trace, ran.get(n), code, text);
      run.ran++;
      if (code !== 0) {
        run.failed++;
        if (run.firstFailure === 0) run.firstFailure = code;
        if (!o.keepGoing) run.stoppedAt = n;
      }
      if (++grouped >= GROUP_LINES || Date.now() - since >= GROUP_MS) commit();
      return code === 0 || o.keepGoing;
    };

    let chunk: { backend: Backend; calls: Call[]; plans: Plan[]; ns: number[] } | undefined;
    /** Makes the calls gathered so far, as one list; false when the batch stops there. */
    const send = async (): Promise<boolean> => {
      if (!chunk) return true;
      const { backend, calls, plans, ns } = chunk;
      chunk = undefined;
      const began = msNow();
      const outcomes = await runCalls(backend, calls, o.keepGoing);
      run.backendMs += msNow() - began;
      let going = true;
      for (let i = 0; i < outcomes.length && going; i++) {
        const out = outcomes[i];
        going = out.ok ? settle(...this.shown(ns[i], plans[i], out.result)) : settle(...failure(ns[i], lineFailure(out.error, out.error.op)));
      }
      commit();
      return going;
    };

    for (const line of lines) {
      let planned = this.planLine(line);
      if (planned instanceof Promise) planned = await planned;
      if (o.trace) ran.set(line.n, { words: Array.isArray(line.words) ? line.words : [], choice: 'plan' in planned ? planned.plan.choice : undefined });
      if ('error' in planned) {
        if (!(await send()) || !settle(...failure(line.n, planned.error))) break;
        continue;
      }
      const { plan, op } = planned;
      const step = plan.step;
      let backend: Backend | undefined;
      if (!('local' in step)) {
        try {
          backend = o.pool.opened(plan.choice) ?? await o.pool.get(plan.choice);
          if (o.trace) ran.get(line.n)!.backend = backend;
        } catch (e) {
          if (!(await send()) || !settle(...failure(line.n, lineFailure(e, op)))) break;
          continue;
        }
        if (isCall(step) && backend.runCalls) {
          if (chunk && (chunk.backend !== backend || mayBlock(step)) && !(await send())) break;
          chunk ??= { backend, calls: [], plans: [], ns: [] };
          chunk.calls.push(step);
          chunk.plans.push(plan);
          chunk.ns.push(line.n);
          if (chunk.calls.length >= CHUNK && !(await send())) break;
          continue;
        }
      }
      // (no list waiting, nothing to await: most lines, on a backend that takes calls one by one)
      if (chunk && !(await send())) break;
      // a wait may block, and work on the state file itself takes its lock: what came before must
      // be committed (and printed) first
      if ('local' in step || (isCall(step) && mayBlock(step))) commit();
      let shown: Shown;
      const began = msNow();
      try {
        const result = await (isCall(step) ? invoke(backend!, step) : perform(plan, async () => backend!));
        run.backendMs += msNow() - began;
        shown = this.shown(line.n, plan, result);
      } catch (e) {
        run.backendMs += msNow() - began;
        shown = failure(line.n, lineFailure(e, op));
      }
      if (!settle(...shown)) break;
    }
    await send();
    commit();
    return run;
  }

  /** A result as its line prints it — its line number first — and the line's exit code (a verdict can make it a failure). */
  private shown(n: number, plan: Plan, result: unknown): Shown {
    const verdict = plan.verdict?.(result);
    if (verdict) return failure(n, verdict);
    const json = jsonOf(plan, result);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return [jsonLine({ line: n, result: json }), 0, n];
    // "line" goes first: written before the object's own text rather than copied into a new object
    // (no result has a "line" of its own, which would come out twice)
    const text = JSON.stringify(json);
    return [text === '{}' ? `{"line":${n}}\n` : `{"line":${n},${text.slice(1)}\n`, 0, n];
  }

  /** The command a line's first words name: its id, how many words that took, and its op name. */
  private commandOf(words: string[]): { id: string; take: number; op: string } | undefined {
    let found: { id: string; take: number; op: string } | undefined;
    let level: Map<string, WordNode> = this.firstWords;
    for (let k = 0; k < words.length; k++) {
      const node = level.get(words[k]);
      if (!node) break;
      if (node.command) found = { id: node.command.id, take: k + 1, op: node.command.op };
      level = node.next;
    }
    return found;
  }

  private async load(id: string): Promise<Planner> {
    const cls = (await this.source.findCommand(id)!.load()) as Planner;
    this.classes.set(id, cls);
    return cls;
  }

  private command(cls: Planner, id: string, argv: string[]) {
    let cmd = this.planners.get(id);
    if (!cmd) {
      cmd = new cls(argv, this.source as never);
      cmd.id = id;
      cmd.env = this.env;
      this.planners.set(id, cmd);
    }
    cmd.argv = argv;
    return cmd;
  }
}

/** A batch line's trace entry: its words, the backend it ran on, and what it printed without its "line". */
function traceLine(file: string, r: { words: string[]; backend?: Backend; choice?: BackendChoice } | undefined, exit: number, text: string): void {
  const words = r?.words ?? [];
  const as = r?.choice?.as ?? (process.env.XGT_AS ? Number(process.env.XGT_AS) : null);
  appendTrace(file, {
    argv: commandArgv(words[0] === 'xgt' ? words.slice(1) : words),
    backend: r?.backend?.name ?? resolveBackendName(r?.choice?.backend ?? (process.env.XGT_BACKEND as BackendChoice['backend']) ?? 'auto'),
    as: r?.backend?.domid ?? as,
    exit,
    output: lineOutput(text),
  });
}

/** A line's output, its exit code, and its number. */
type Shown = [text: string, code: number, n: number];

const failure = (n: number, e: XgtError): Shown => [jsonLine({ line: n, error: e.toJSON() }), e.exitCode, n];
