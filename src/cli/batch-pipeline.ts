/**
 * The agent's batch loop, pipelined. In the PV dom0 every system call leaves the emulated TLB
 * and caches cold, so JavaScript run between two ioctls costs several times what it costs in a
 * row: measured there, a map or unmap line's commands took ~60 µs with stand-in devices, but
 * ~200 µs on top of the ioctls with the real ones. So lines go in groups: every line of a group
 * runs up to its backend step (parsing, checks) and hands the step over (BatchContext.defer);
 * then the steps run in order, their calls gathered in the link's queue (StepProbe) and made
 * together (the agent: a run of grant maps and unmaps by one device call); then the commands
 * finish and print.
 *
 * Order, stops and output are the sequential loop's (runBatchLoop): a call is made only once
 * every line before it has succeeded (or with keepGoing), and each line's output is printed in
 * its place. The flush says which calls were refused and drops those after a refused one. A step
 * that did not queue exactly one call (one that opens the backend first) ends the run: the
 * calls before it are made, then it is waited for. After its step, a command only formats its
 * result. A repeat of a replayable line takes no command at all: its kept step (Replayed), or
 * just its call (RepeatedCall), goes into the run in its place.
 */
import type { Backend } from '../backend/types.js';
import { refused } from '../errors.js';
import type { Call, Queued } from './batch-calls.js';
import type { BatchContext } from './batch-context.js';
import {
  agentMayRun, type BatchLine, type BatchRun, type ConfigLike, Grouper, isWait, LineRunner, type LoopOptions, mayBlock, readBatchLines, type Replay,
  runBatchLoop,
} from './batch-lines.js';

/**
 * The backend's calls as the pipeline drives them: the agent's in-process link
 * (src/native/agent/batch.ts) is one.
 */
export interface StepProbe {
  /** calls made or queued so far */
  calls: number;
  /** while set, each call is queued (its promise settles at the flush) instead of made */
  gathering: boolean;
  /**
   * Makes the queued calls in order, each once the one before it has finished, and says for
   * each whether it was refused. After a refused one (unless keepGoing) the rest are dropped:
   * never made, their promises never settled, as the lines after a failure never run.
   */
  flush(keepGoing: boolean): Promise<boolean[]>;
  /** the call behind a promise that a call queued last answered with, if it is that one */
  callOf(promise: unknown): Call | undefined;
  /** queues a call whose outcome goes to its own methods (a repeated line's call, see RepeatedCall) */
  add(q: Queued): void;
}

/**
 * Lines prepared before their steps run. Measured in the dom0 (one process, interleaved, a run
 * of grant maps and unmaps made by one device call): ~275 µs a line in groups of 16, ~260 in 32,
 * ~240 in 64, ~220 in 128 and 256. (When each step still made its own call, 4 to 16 were
 * fastest and 512 about 10% slower.)
 */
const GROUP = 128;

/** A line of a group in flight. */
interface InFlight {
  /** the line's exit code, once it has finished */
  code?: number;
  finished: Promise<number>;
  /** the backend step the line waits on, until it is performed */
  step?: () => Promise<unknown>;
  /** settles when the line's step is ready (a command's run reached its backend) or it finished without one */
  handed?: Promise<void>;
  /** the line waits on `made`, the promise its step returned */
  performed(made: Promise<unknown>): void;
  /** its step threw before reaching the backend */
  threw(e: unknown): void;
  /** appends the line's output, in its place */
  print(output: string[]): void;
  /** a line run by its command: its text, to learn the call its step makes (see gather) */
  text?: string;
  /** a repeated line that is just a call: queued as it is, without a step */
  direct?: Queued;
}

/** One turn of the event loop: every promise that can settle without I/O has settled. */
const turn = () => new Promise<void>((resolve) => { setImmediate(resolve); });

/** A line run by its command, which runs until it hands over its backend step, or finishes without one. */
function start(runner: LineRunner, { words, n, text }: BatchLine & { words: string[] }): InFlight {
  const ctx = runner.lineContext();
  ctx.output = [];
  let handOver = () => {};
  let settle: { resolve(v: unknown): void; reject(e: unknown): void } | undefined;
  const f: InFlight = {
    finished: Promise.resolve(0),
    handed: new Promise<void>((resolve) => { handOver = resolve; }),
    performed: (made) => settle!.resolve(made),
    threw: (e) => settle!.reject(e),
    print: (output) => { for (const line of ctx.output) output.push(line); },
    text,
  };
  ctx.defer = <T>(step: () => Promise<T>) => {
    // every command reaches its backend once (one withBackend, one call): a second step could
    // only run after later lines' steps, out of order, so it is refused rather than run
    if (settle) {
      return Promise.reject(refused('EIO', 'batch', 'internal error: a command reached its backend twice in a pipelined batch'));
    }
    return new Promise<T>((resolve, reject) => {
      f.step = step;
      settle = { resolve: resolve as (v: unknown) => void, reject };
      handOver();
    });
  };
  f.finished = runner.run(words, n, text, ctx).then((code) => (f.code = code));
  return f;
}

const DONE = Promise.resolve(0);

/**
 * A repeat of a replayable line (see LineRunner): none of its command's promises, contexts and
 * parsing, which are most of a line's cost in a warm agent. Its outcome is told to resolve or
 * reject, which print it as the command would.
 */
abstract class Repeat implements InFlight {
  code?: number;
  finished = DONE;
  private printed?: string;

  constructor(protected readonly runner: LineRunner, protected readonly replay: Replay) {}

  resolve(result: unknown): number {
    this.printed = this.runner.replayedResult(result);
    return (this.code = 0);
  }

  reject(e: unknown): number {
    const { text, code } = this.runner.replayedFailure(e, this.replay);
    this.printed = text;
    return (this.code = code);
  }

  abstract performed(made: Promise<unknown>): void;
  abstract threw(e: unknown): void;

  print(output: string[]): void {
    if (this.printed !== undefined) output.push(this.printed);
  }
}

/** A repeat by its kept step, ready at once. */
class Replayed extends Repeat {
  step?: () => Promise<unknown> = this.replay.step;

  performed(made: Promise<unknown>): void {
    this.finished = made.then((result) => this.resolve(result), (e: unknown) => this.reject(e));
  }

  threw(e: unknown): void {
    this.finished = Promise.resolve(this.reject(e));
  }
}

/**
 * A repeat of a line whose step was seen to be one call and nothing else (Replay.call): that
 * call queued again, its outcome told to this line directly — not even the step's promises.
 */
class RepeatedCall extends Repeat implements Queued {
  readonly op: string;
  readonly args: unknown[];
  direct?: Queued = this;

  constructor(runner: LineRunner, replay: Replay, call: Call) {
    super(runner, replay);
    this.op = call.op;
    this.args = call.args;
  }

  // it has no step
  performed(): void {}
  threw(): void {}
}

/**
 * Whether a replayable line's step is its call and nothing else, so that a repeat may queue the
 * call without the step: it queued exactly one call and answered with that call's own promise
 * (the command's backend passed it through untouched). Its other work — flushing the other
 * backends of the batch's pool — is nothing while the pool holds one backend (checked again at
 * each repeat: see flightOf).
 */
function learnCall(runner: LineRunner, probe: StepProbe, text: string, made: unknown): void {
  const replay = runner.replayOf(text);
  if (replay && !replay.call && runner.batch.pool.size <= 1) replay.call = probe.callOf(made);
}

/**
 * A group's line: a repeat (by its call, or its step) or a line run by its command (its text
 * noted in `fresh`, the group's) — or none, when the group should end before it: a repeat of
 * one of the group's own lines, the first time that line repeats (noted in `endedAt`, the batch's).
 */
function flightOf(runner: LineRunner, line: BatchLine & { words: string[] }, fresh: Set<string>, endedAt: Set<string>): InFlight | undefined {
  const replay = runner.replayOf(line.text);
  if (replay) {
    return replay.call && runner.batch.pool.size <= 1 ? new RepeatedCall(runner, replay, replay.call) : new Replayed(runner, replay);
  }
  if (runner.replay && fresh.has(line.text) && !endedAt.has(line.text)) {
    endedAt.add(line.text);
    return undefined;
  }
  fresh.add(line.text);
  return start(runner, line);
}

/** A line of a gathered run: its call's place in the queue, or whether it failed without one; neither when unsure. */
interface Slot { f: InFlight; call?: number; failed?: boolean }

/**
 * Hands a run of the group's steps to the link, which queues their calls: up to a line that
 * failed (unless keepGoing), or one that did not queue exactly one call — it may make its call
 * later, after the run's, so the run ends there and that line is waited for.
 */
function gather(runner: LineRunner, flights: InFlight[], from: number, probe: StepProbe, keepGoing: boolean): Slot[] {
  const slots: Slot[] = [];
  probe.gathering = true;
  try {
    for (let k = from; k < flights.length; k++) {
      const f = flights[k];
      if (f.direct) {
        probe.add(f.direct);
        f.direct = undefined;
        slots.push({ f, call: probe.calls - 1 });
        continue;
      }
      if (!f.step) {
        slots.push({ f, failed: f.code !== 0 });
        if (f.code !== 0 && !keepGoing) break;
        continue;
      }
      const step = f.step;
      f.step = undefined;
      const calls = probe.calls;
      let made: Promise<unknown>;
      try {
        made = step();
        f.performed(made);
      } catch (e) {
        // refused before reaching the device (a usage error found in the step itself)
        f.threw(e);
        slots.push({ f, failed: true });
        if (keepGoing) continue;
        break;
      }
      if (probe.calls !== calls + 1) {
        slots.push({ f });
        break;
      }
      if (f.text !== undefined) learnCall(runner, probe, f.text, made);
      slots.push({ f, call: calls });
    }
  } finally {
    probe.gathering = false;
  }
  return slots;
}

/** Runs the lines of a group: steps in order until one fails (unless keepGoing); returns those that ran. */
async function runGroup(runner: LineRunner, flights: InFlight[], probe: StepProbe, keepGoing: boolean): Promise<InFlight[]> {
  // the commands reach their steps; and the agent serves its other clients and drains its
  // socket, even in a group of repeats only
  await turn();
  // a command still busy with something else than its step (say, oclif loading for a line the
  // fast path declined) is let finish that first
  const busy = flights.filter((f) => f.code === undefined && !f.step && f.handed);
  if (busy.length) await Promise.all(busy.map((f) => Promise.race([f.finished, f.handed])));
  let k = 0;
  while (k < flights.length) {
    const slots = gather(runner, flights, k, probe, keepGoing);
    const first = slots.find((s) => s.call !== undefined)?.call ?? 0;
    const callRefused = await probe.flush(keepGoing);
    for (const s of slots) {
      const failed = s.call !== undefined ? callRefused[s.call - first] : s.failed ?? (await s.f.finished) !== 0;
      k++;
      if (failed && !keepGoing) {
        flights = flights.slice(0, k);
        break;
      }
    }
  }
  // most have finished by now: their steps' results came back with the flush
  const unfinished = flights.filter((f) => f.code === undefined);
  if (unfinished.length) await Promise.all(unfinished.map((f) => f.finished));
  return flights;
}

/** The pipelined batch loop: the same lines, output, stops and exit code as runBatchLoop. */
export async function runPipelined(lines: BatchLine[], runner: LineRunner, probe: StepProbe, o: LoopOptions): Promise<BatchRun> {
  const groups = new Grouper(o);
  const output = runner.batch.output;
  let ran = 0;
  let firstFailure = 0;
  let stopped = false;
  const done = (code: number) => {
    ran++;
    groups.ran();
    if (code !== 0 && firstFailure === 0) firstFailure = code;
    if (code !== 0 && !o.keepGoing) stopped = true;
  };
  let i = 0;
  /** lines a group ended before, as repeats of one of its lines */
  const endedAt = new Set<string>();
  while (i < lines.length && !stopped) {
    const { n, words, text } = lines[i];
    if (!Array.isArray(words) || isWait(words)) {
      // a line that is no command, or a wait: alone, as the sequential loop runs it
      i++;
      if (!Array.isArray(words)) done(runner.report(words));
      else {
        if (mayBlock(words)) groups.flush();
        done(await runner.run(words, n, text));
      }
      continue;
    }
    const flights: InFlight[] = [];
    // a line repeated from an earlier group replays; within a group, lines start together, so
    // a line's repeat in its own group would run by its command too: the group ends before it
    // (once a line, so that a repeated line that cannot replay does not make every group short)
    const fresh = new Set<string>();
    do {
      const line = lines[i] as BatchLine & { words: string[] };
      const flight = flightOf(runner, line, fresh, endedAt);
      if (!flight) break;
      flights.push(flight);
      i++;
    } while (i < lines.length && flights.length < GROUP && Array.isArray(lines[i].words) && !isWait(lines[i].words as string[]));
    for (const f of await runGroup(runner, flights, probe, o.keepGoing)) {
      f.print(output);
      done(f.code!);
    }
  }
  groups.flush();
  return { ran, firstFailure };
}

/**
 * The agent's side of a native batch (src/native/agent/batch.ts): the client's script, read with
 * the client's environment — here, where the code is warm, rather than in a fresh CLI process
 * where splitting the lines cost as much as running them. Declines, running nothing, when a line
 * is not for the agent; the client then runs the script itself.
 */
export async function runScriptOn(config: ConfigLike & { commandIDs: string[] }, text: string, env: NodeJS.ProcessEnv,
  keepGoing: boolean, backend: Backend, send: (text: string) => void, probe?: StepProbe): Promise<BatchRun | { declined: true }> {
  const lines = readBatchLines(text, env);
  if (!agentMayRun(lines)) return { declined: true };
  // XGT_BATCH_PIPELINE=0: one line at a time, as the CLI runs them; XGT_BATCH_REPLAY=0: every
  // line by its command (to compare, or to rule them out)
  return runLinesOn(config, lines, keepGoing, backend, send, env.XGT_BATCH_PIPELINE === '0' ? undefined : probe,
    env.XGT_BATCH_REPLAY !== '0');
}

/**
 * Runs lines on `backend` (the agent's own devices, see src/native/agent/batch.ts), handing
 * their output to `send` in groups, before any wait that may block, and at the end. Pipelined
 * when the backend's calls can be probed, else one line at a time.
 */
export async function runLinesOn(config: ConfigLike & { commandIDs: string[] }, lines: BatchLine[], keepGoing: boolean,
  backend: Backend, send: (text: string) => void, probe?: StepProbe, replay = true): Promise<BatchRun> {
  const ctx: BatchContext = { pool: new Map(), output: [], open: async () => backend, failed: 0, env: { ...process.env } };
  // Output goes back in few, large parts: each one wakes the client, and in a PV dom0 the two
  // context switches cost milliseconds (measured there: a batch ~20% faster than with a part
  // every 256 lines or 50 ms). A wait that may block still sends what came before it first.
  const runner = new LineRunner(config, ctx, replay);
  const o: LoopOptions = {
    keepGoing, groupLines: 4096, groupMs: 250,
    flush: () => { if (ctx.output.length) send(ctx.output.splice(0).join('')); },
  };
  const run = await (probe ? runPipelined(lines, runner, probe, o) : runBatchLoop(lines, runner, o));
  return { ...run, replayed: runner.replayed };
}
