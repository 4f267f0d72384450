/**
 * What xgt's commands use of @oclif/core, small enough to load in a few milliseconds. The fast
 * bundle (dist/xgt-fast.mjs) is built with '@oclif/core' aliased to this module, so the very same
 * command classes run on it; whatever it cannot do faithfully it declines (see parse.ts), and the
 * invocation goes to the real oclif bundle. Flag and argument definitions have oclif's shapes,
 * because the same parser reads both (and the tests compare them).
 */
import { Fallback, isFallback } from './fallback.js';
import { asGiven, envOf, liteParse, type ArgDef, type FlagDef, type ParseInput } from './parse.js';
import { writeOut } from '../stdio.js';

type Opts = Record<string, unknown>;

const custom = (defaults: Opts = {}) => (options: Opts = {}) =>
  ({ parse: asGiven, ...defaults, ...options, input: [], multiple: Boolean(options.multiple ?? defaults.multiple ?? false), type: 'option' });

export const Flags = {
  boolean: (options: Opts = {}) => ({ parse: asGiven, ...options, allowNo: Boolean(options.allowNo), type: 'boolean' }),
  string: custom(),
  custom,
  option: custom,
};

const customArg = (defaults: Opts = {}) => (options: Opts = {}) => ({ parse: asGiven, ...defaults, ...options, input: [], type: 'option' });

export const Args = { string: customArg(), custom: customArg };

class CLIError extends Error {
  oclif = { exit: 2 };
}
class ExitError extends CLIError {}
export const Errors = { CLIError, ExitError };

const jsonFlag = Flags.boolean({ description: 'Format output as json.', helpGroup: 'GLOBAL' });

interface CommandStatics {
  flags?: Record<string, FlagDef>;
  baseFlags?: Record<string, FlagDef>;
  args?: Record<string, ArgDef>;
  strict?: boolean;
  enableJsonFlag?: boolean;
}

/** Merged once per command class, as oclif's aggregateFlags does on every parse. */
const inputs = new WeakMap<object, ParseInput>();

function parseInput(ctor: CommandStatics): ParseInput {
  let input = inputs.get(ctor);
  if (!input) {
    const merged = { ...ctor.baseFlags, ...ctor.flags } as Record<string, FlagDef>;
    input = {
      flags: (ctor.enableJsonFlag ? { json: jsonFlag, ...merged } : merged) as Record<string, FlagDef>,
      args: ctor.args ?? {},
      strict: ctor.strict !== false,
    };
    inputs.set(ctor, input);
  }
  return input;
}

export abstract class Command {
  static enableJsonFlag = false;
  static strict = true;
  id?: string;
  /** the environment its flags read (see envOf); unset, the process's */
  env?: NodeJS.ProcessEnv;
  protected parsed = false;

  constructor(public argv: string[], public config: unknown) {}

  abstract run(): Promise<unknown>;

  protected get ctor(): CommandStatics {
    return this.constructor as CommandStatics;
  }

  async _run(): Promise<unknown> {
    let err: unknown;
    let result: unknown;
    try {
      result = await this.run();
    } catch (error) {
      err = error;
      await this.catch(error as Error);
    } finally {
      await this.finally(err);
    }
    if (result && this.jsonEnabled()) this.logJson(result);
    return result;
  }

  async catch(err: Error): Promise<unknown> {
    throw err;
  }

  finally(_err: unknown): Promise<void> | void {}

  jsonEnabled(): boolean {
    return Boolean(this.ctor.enableJsonFlag) && this.argv.includes('--json');
  }

  logJson(json: unknown): void {
    writeOut(`${JSON.stringify(json, null, 2)}\n`);
  }

  /** Not async: a parse that needs no promise answers at once, and a batch line is planned without waiting (batch-run.ts). */
  protected parse(options?: CommandStatics, argv: string[] = this.argv) {
    const input = parseInput(options ?? this.ctor);
    this.parsed = true;
    let out: unknown;
    try {
      if (envOf(this).XGT_CONTENT_TYPE !== undefined) throw new Fallback('XGT_CONTENT_TYPE is set');
      out = liteParse(argv, input, this);
    } catch (e) {
      return this.declined(e, argv, input) as never;
    }
    return (out instanceof Promise ? out.catch((e: unknown) => this.declined(e, argv, input)) : out) as never;
  }

  private declined(e: unknown, argv: string[], input: ParseInput): Promise<unknown> {
    if (!declinedParser || !isFallback(e)) throw e;
    return declinedParser(argv, input, this);
  }
}

type DeclinedParser = (argv: string[], input: ParseInput, ctx: unknown) => Promise<unknown>;
let declinedParser: DeclinedParser | undefined;

/**
 * From now on, what the lite parser declines is parsed by `parser` (oclif's own) instead of
 * the whole invocation going to oclif: a batch's line is read where the batch runs, by the same
 * command class, so the objects of one process come from one copy of the code.
 */
export function parseDeclinedWith(parser: DeclinedParser): void {
  declinedParser = parser;
}

export type Config = never;
export type Interfaces = never;
