/**
 * The base of every command: the global flags, opening and closing the backend, the JSON and
 * error envelope, and SPEC's exit codes (1 refused, 2 usage, 3 backend unavailable). Every
 * failure is one line on stderr, or one JSON document on stdout with --json.
 */
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { resolve } from 'node:path';
import { openBackend, type BackendChoice } from '../backend/select.js';
import type { Backend } from '../backend/types.js';
import { oneLine, usage, XgtError } from '../errors.js';
import { atOnce } from './flags.js';
import { parseUint, U16_MAX } from './numbers.js';
import type { BatchContext } from './batch-context.js';
import { isFallback } from './lite/fallback.js';
import { colourReady, errColour } from './output.js';
import { writeErr, writeOut } from './stdio.js';

export const globalFlags = {
  backend: Flags.option({
    options: ['auto', 'emu', 'native'] as const,
    default: 'auto' as const,
    env: 'XGT_BACKEND',
    helpGroup: 'GLOBAL',
    summary: 'auto = native when /dev/xen/privcmd exists, else emu',
  })(),
  state: Flags.string({
    env: 'XGT_STATE',
    helpGroup: 'GLOBAL',
    summary: "the emulator's state file (default $XDG_STATE_HOME/xgt/emu.db)",
  }),
  as: Flags.custom<number>({
    env: 'XGT_AS',
    helpGroup: 'GLOBAL',
    summary: 'act as this domain (emu: any existing domain; native: only your own)',
    parse: atOnce((s) => parseUint(s, '--as', U16_MAX)),
  })(),
};

export type GlobalFlags = Interfaces.InferredFlags<typeof globalFlags>;

export abstract class XgtCommand extends Command {
  static enableJsonFlag = true;
  static baseFlags = globalFlags;

  /**
   * A command whose batch line can be replayed: its run() parses, makes one withBackend call whose
   * step depends on nothing but its flags and arguments, and returns that call's result as it is
   * (human output aside). A batch runs a repeat of such a line by running the first one's step
   * again, without the command (see LineRunner); `XGT_BATCH_REPLAY=0` turns that off.
   */
  static replayable = false;

  /** Set when this command runs as a line of `xgt batch` (see LineRunner). */
  batch?: BatchContext;

  /** Set by a batch for a replayable command: hears the backend step its line makes. */
  onStep?: (step: () => Promise<unknown>) => void;

  /** Colour, when a stream is a terminal, is settled before the command prints anything. */
  protected _run<T>(): Promise<T> {
    const painting = colourReady();
    return painting ? painting.then(() => super._run<T>()) : super._run<T>();
  }

  /** The op name errors carry, e.g. gnttab.map. */
  protected get op(): string {
    return opOf(this.id);
  }

  /**
   * Opens the chosen backend, runs `fn` on it and closes it (in a batch: keeps it for the next
   * line). Not async: a batch line on an open backend goes straight to `fn`.
   */
  protected withBackend<T>(flags: GlobalFlags, fn: (b: Backend) => Promise<T>): Promise<T> {
    const choice = {
      backend: flags.backend,
      state: flags.state === undefined ? undefined : resolve(flags.state),
      as: flags.as,
    };
    const batch = this.batch;
    if (!batch) return this.withOwnBackend(choice, fn);
    const pool = batch.pool;
    const key = `${choice.backend} ${choice.as ?? '-'} ${choice.state ?? ''}`;
    const step = () => {
      // each pooled backend has its own connection: before another one writes, the group the
      // others hold open must be committed, or they would wait on each other's lock
      for (const [k, other] of pool) if (k !== key) other.flushBatch?.();
      const b = pool.get(key);
      return b ? fn(b) : this.openPooled(batch, key, choice).then(fn);
    };
    this.onStep?.(step);
    return batch.defer ? batch.defer(step) : step();
  }

  private async openPooled(batch: BatchContext, key: string, choice: BackendChoice): Promise<Backend> {
    const b = await (batch.open ?? openBackend)(choice);
    b.beginBatch?.();
    batch.pool.set(key, b);
    return b;
  }

  private async withOwnBackend<T>(choice: BackendChoice, fn: (b: Backend) => Promise<T>): Promise<T> {
    const b = await openBackend(choice);
    try {
      return await fn(b);
    } finally {
      b.close();
    }
  }

  /** Human output only; --json prints the returned result instead. */
  protected human(text: string | (() => string)): void {
    if (!this.jsonEnabled()) writeOut(`${typeof text === 'function' ? text() : text}\n`);
  }

  /** No xgt command is deprecated; oclif's check costs a scan of every command id per run. */
  protected warnIfCommandDeprecated(): void {}

  logJson(json: unknown): void {
    const line = jsonLine(json);
    const batch = this.batch;
    // in a batch, output waits for the commit that makes it true (see Batch)
    if (batch) batch.output.push(line);
    else writeOut(line);
  }

  async catch(err: Error & { exitCode?: number }): Promise<never | void> {
    if (err instanceof Errors.ExitError || isFallback(err)) throw err;
    // a parse that failed is still a parse: keeps oclif from warning that run() skipped it
    (this as unknown as { parsed: boolean }).parsed = true;
    const e = lineFailure(err, this.op);
    const batch = this.batch;
    // a batch line's failure is that line's, whatever else runs in this process
    if (batch) batch.failed = e.exitCode;
    else process.exitCode = e.exitCode;
    if (this.jsonEnabled()) this.logJson({ error: e.toJSON() });
    else writeErr(`${errorLine(e)}\n`);
  }
}

/** One line of --json output. */
export const jsonLine = (json: unknown) => `${JSON.stringify(json)}\n`;

/** The op name of a command id, e.g. gnttab.map. */
export const opOf = (id: string | undefined) => (id ?? 'xgt').replace(/[: ]/g, '.');

/** A command's failure as its JSON envelope and exit code report it. */
export function lineFailure(err: unknown, op: string): XgtError {
  const e = toXgtError(err, op);
  // flag and argument parsers name the argument; the envelope names the command
  return e.kind === 'usage' && !e.op.includes('.') ? usage(op, e.message) : e;
}

export function toXgtError(err: unknown, op: string): XgtError {
  if (err instanceof XgtError) return err;
  const e = err as Error & { oclif?: { exit?: number } };
  if (e instanceof Errors.CLIError) {
    return usage(op, oneLine(e.message));
  }
  if (process.env.XGT_DEBUG) writeErr(`${e?.stack ?? String(e)}\n`);
  return new XgtError('refused', 'EIO', op, `internal error: ${oneLine(e?.message ?? String(e))}`);
}

export function errorLine(e: XgtError): string {
  const what = e.kind === 'usage' ? 'usage error' : e.kind === 'unavailable' ? 'backend unavailable' : e.code;
  const where = e.op === 'xgt' ? '' : ` ${e.op}:`;
  return `${errColour.red('xgt:')}${where} ${what}: ${oneLine(e.message)}`;
}
