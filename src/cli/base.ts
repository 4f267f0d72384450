/**
 * The base of every command: the global flags, opening and closing the backend, the JSON and
 * error envelope, and the exit codes of docs/CONTRACT.md (1 refused, 2 usage, 3 backend unavailable). Every
 * failure is one line on stderr, or one JSON document on stdout with --json.
 */
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { openBackend, resolveBackendName, type BackendChoice } from '../backend/select.js';
import { appendTrace, commandArgv, globalValue } from './trace.js';
import type { Backend } from '../backend/types.js';
import { humanOf, jsonOf, perform, type Parsed, type Plan } from './plan.js';
import { asXgtError, oneLine, usage, XgtError } from '../errors.js';
import { atOnce } from './flags.js';
import { rewordParseError } from './usage-words.js';
import { parseUint, U16_MAX } from './numbers.js';
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
  trace: Flags.string({
    env: 'XGT_TRACE',
    helpGroup: 'GLOBAL',
    summary: 'append what each command ran and answered to this file, one JSON line each (for xgt replay)',
  }),
};

export type GlobalFlags = Interfaces.InferredFlags<typeof globalFlags>;

export abstract class XgtCommand extends Command {
  static enableJsonFlag = true;
  static baseFlags = globalFlags;

  /** What the command line, read by the command's flags and arguments, will do (nothing is done yet; usage errors thrown here). */
  abstract plan(parsed: Parsed<any>): Plan;

  /**
   * The command line read by the command's flags and arguments. The fast path's parser answers at
   * once when it can (a batch line then waits no turn of the event loop); oclif's with a promise.
   */
  parsedArgv(): Parsed | Promise<Parsed> {
    return this.parse(this.constructor as never);
  }

  /** Colour, when a stream is a terminal, is settled before the command prints anything. */
  protected _run<T>(): Promise<T> {
    const painting = colourReady();
    return painting ? painting.then(() => super._run<T>()) : super._run<T>();
  }

  /** The op name errors carry, e.g. gnttab.map. */
  protected get op(): string {
    return opOf(this.id);
  }

  /** Plan, carry it out on the chosen backend, show the result. */
  async run(): Promise<unknown> {
    const plan = this.plan(await this.parsedArgv());
    const traceFile = globalValue(this.argv, '--trace', 'XGT_TRACE');
    if (traceFile) appendTrace(traceFile); // refused before anything is done when it cannot be written
    let opened: Backend | undefined;
    let result: unknown;
    try {
      result = await perform(plan, async () => (opened = await openBackend(plan.choice)));
    } catch (e) {
      this.acting = opened;
      throw e;
    } finally {
      opened?.close();
    }
    this.acting = opened;
    if (!this.jsonEnabled()) {
      const text = humanOf(plan, result);
      if (text !== undefined) writeOut(typeof text === 'string' ? `${text}\n` : text);
    }
    const failure = plan.verdict?.(result);
    if (failure) throw failure;
    const json = jsonOf(plan, result);
    this.trace(0, json);
    return json;
  }

  /** the backend the command ran on, for its trace line */
  private acting: Backend | undefined;

  /** Appends the command's trace line where --trace (XGT_TRACE) asks for one. */
  private trace(exit: number, output: unknown): void {
    const words = [...(this.id ?? '').split(':'), ...this.argv];
    const file = globalValue(this.argv, '--trace', 'XGT_TRACE');
    if (!file || this.id === 'replay' || this.id === 'batch') return;
    const as = globalValue(this.argv, '--as', 'XGT_AS');
    appendTrace(file, {
      argv: commandArgv(words),
      backend: this.acting?.name ?? resolveBackendName((globalValue(this.argv, '--backend', 'XGT_BACKEND') ?? 'auto') as BackendChoice['backend']),
      as: this.acting?.domid ?? (as === undefined || !/^\d+$/.test(as) ? null : Number(as)),
      exit,
      output,
    });
  }

  /** The backend the global flags choose (a relative --state is resolved when the backend opens). */
  protected choice(flags: GlobalFlags): BackendChoice {
    return { backend: flags.backend, state: flags.state, as: flags.as };
  }

  /** No xgt command is deprecated; oclif's check costs a scan of every command id per run. */
  protected warnIfCommandDeprecated(): void {}

  logJson(json: unknown): void {
    writeOut(jsonLine(json));
  }

  async catch(err: Error & { exitCode?: number }): Promise<never | void> {
    if (err instanceof Errors.ExitError || isFallback(err)) throw err;
    // a parse that failed is still a parse: keeps oclif from warning that run() skipped it
    (this as unknown as { parsed: boolean }).parsed = true;
    const e = lineFailure(err, this.op, flagNamesOf(this.constructor));
    process.exitCode = e.exitCode;
    if (e.op !== 'trace') this.trace(e.exitCode, { error: e.toJSON() });
    if (this.jsonEnabled()) this.logJson({ error: e.toJSON() });
    else writeErr(`${errorLine(e)}\n`);
  }
}

/** One line of --json output. */
export const jsonLine = (json: unknown) => `${JSON.stringify(json)}\n`;

/** The op name of a command id, e.g. gnttab.map. */
const ops = new Map<string, string>();
export function opOf(id: string | undefined): string {
  const key = id ?? 'xgt';
  let op = ops.get(key);
  if (op === undefined) ops.set(key, (op = key.replace(/[: ]/g, '.')));
  return op;
}

/** A command's failure as its JSON envelope and exit code report it; `flagNames`, its flags, word parse errors. */
export function lineFailure(err: unknown, op: string, flagNames: readonly string[] = []): XgtError {
  const e = toXgtError(err, op, flagNames);
  // flag and argument parsers name the argument; the envelope names the command
  return e.kind === 'usage' && !e.op.includes('.') ? usage(op, e.message) : e;
}

/**
 * oclif's parse errors are usage errors (recognised as oclif itself does, by their exit code: a
 * line the fast path declines is parsed by oclif's own copy of its classes), reworded in one
 * line; everything else is classified once, in errors.ts.
 */
export function toXgtError(err: unknown, op: string, flagNames: readonly string[] = []): XgtError {
  if (!(err instanceof XgtError) && typeof (err as { oclif?: { exit?: unknown } })?.oclif?.exit === 'number') {
    return usage(op, rewordParseError(oneLine((err as Error).message), flagNames));
  }
  const e = asXgtError(err, op);
  if (process.env.XGT_DEBUG && e.cause !== undefined) writeErr(`${(e.cause as Error)?.stack ?? String(e.cause)}\n`);
  return e;
}

/** The names of a command class's flags, global ones included. */
export function flagNamesOf(cls: unknown): string[] {
  const c = cls as { flags?: object; baseFlags?: object };
  return [...Object.keys(c.baseFlags ?? {}), ...Object.keys(c.flags ?? {}), 'json'];
}

export function errorLine(e: XgtError): string {
  const what = e.kind === 'usage' ? 'usage error' : e.kind === 'unavailable' ? 'backend unavailable' : e.code;
  const where = e.op === 'xgt' ? '' : ` ${e.op}:`;
  return `${errColour.red('xgt:')}${where} ${what}: ${oneLine(e.message)}`;
}
