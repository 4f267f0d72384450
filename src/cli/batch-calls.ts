/**
 * The calls of a pipelined batch's lines (src/cli/batch-pipeline.ts), held back while a run of
 * lines hands over its steps and then made in order: a run of them that the backend can make
 * together by one call into it (the agent: grant maps and unmaps, one device call), the others
 * one by one, each once the one before has finished.
 */
import type { StepProbe } from './batch-pipeline.js';

export interface Call { op: string; args: unknown[] }
/** A call waiting in the queue, and how its outcome is told: a promise's, or its own methods (see add). */
export interface Queued extends Call { resolve(v: unknown): void; reject(e: unknown): void }

export interface CallMaker {
  /** makes one call */
  one(call: Call): Promise<unknown>;
  /** how many calls from the front of `calls` `together` can make */
  fitTogether(calls: readonly Call[]): number;
  /** makes the calls in order until one is refused: the results of those before it, and its refusal */
  together(calls: Call[]): { results: unknown[]; failure?: unknown };
}

export class CallQueue implements StepProbe {
  calls = 0;
  gathering = false;
  private queue: Queued[] = [];
  /** the last call queued, and the promise that call() answered it with */
  private last?: { call: Call; promise: Promise<unknown> };

  constructor(private readonly maker: CallMaker) {}

  call<T>(op: string, args: unknown[]): Promise<T> {
    this.calls++;
    if (!this.gathering) return this.maker.one({ op, args }) as Promise<T>;
    const promise = new Promise<T>((resolve, reject) => { this.queue.push({ op, args, resolve: resolve as (v: unknown) => void, reject }); });
    this.last = { call: { op, args }, promise };
    return promise;
  }

  /** The call behind `promise`, if it is the one call() queued last. */
  callOf(promise: unknown): Call | undefined {
    const last = this.last;
    return last && last.promise === promise ? last.call : undefined;
  }

  /** Queues a call whose outcome goes to its own resolve and reject (while gathering). */
  add(q: Queued): void {
    this.calls++;
    this.queue.push(q);
  }

  async flush(keepGoing: boolean): Promise<boolean[]> {
    const refused: boolean[] = [];
    // still gathering: a call that a line makes while one of these waits goes in behind them
    this.gathering = true;
    try {
      while (this.queue.length) {
        const n = this.maker.fitTogether(this.queue);
        const calls = this.queue.splice(0, Math.max(n, 1));
        const failed = n ? this.together(calls) : await this.one(calls[0]);
        for (let i = 0; i < calls.length; i++) refused.push(i === failed);
        if (failed >= 0 && !keepGoing) {
          this.queue = [];
          break;
        }
      }
    } finally {
      this.gathering = false;
      // a step of a later group answers with a promise of its own
      this.last = undefined;
    }
    return refused;
  }

  /** The refused call's place, or -1; the calls after it go back to the front of the queue. */
  private together(calls: Queued[]): number {
    let outcome: { results: unknown[]; failure?: unknown };
    try {
      outcome = this.maker.together(calls);
    } catch (e) {
      outcome = { results: [], failure: e };
    }
    const { results, failure } = outcome;
    results.forEach((r, i) => calls[i].resolve(r));
    if (results.length === calls.length) return -1;
    const at = results.length;
    calls[at].reject(failure);
    this.queue.unshift(...calls.splice(at + 1));
    return at;
  }

  private async one(q: Queued): Promise<number> {
    try {
      q.resolve(await this.maker.one(q));
      return -1;
    } catch (e) {
      q.reject(e);
      return 0;
    }
  }
}
