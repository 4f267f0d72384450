/**
 * A flag and argument parser for the invocations scripts make all day (`--flag value`,
 * `--flag=value`, boolean flags, positional arguments), giving exactly what oclif's parser gives
 * for them. Everything else — help, `--`, short flags, unknown or repeated flags, values that look
 * like flags, anything oclif would refuse — is declined with a Fallback, so oclif stays the one
 * source of help text and error messages. test/cli/lite-parser.test.ts checks the two agree.
 */
import { Fallback } from './fallback.js';

export interface FlagDef {
  type: 'boolean' | 'option';
  parse?: (input: never, ctx: unknown, def: FlagDef) => unknown;
  default?: unknown;
  options?: readonly string[];
  env?: string;
  required?: boolean;
  exclusive?: string[];
  [other: string]: unknown;
}

export interface ArgDef {
  parse?: (input: string, ctx: unknown, def: ArgDef) => unknown;
  required?: boolean;
  ignoreStdin?: boolean;
  default?: unknown;
  [other: string]: unknown;
}

export interface ParseInput {
  flags: Record<string, FlagDef>;
  args: Record<string, ArgDef>;
  strict: boolean;
}

export interface ParseOutput {
  flags: Record<string, unknown>;
  args: Record<string, unknown>;
  argv: unknown[];
}

/** The parse function of flags and arguments defined without one (lite core's builders): the text as given. */
export const asGiven = (input: unknown): unknown => input;

/** Flag and argument features the fast parser does not model: a command using one goes to oclif. */
const UNMODELLED_FLAG = ['char', 'aliases', 'charAliases', 'multiple', 'dependsOn', 'relationships', 'exactlyOne',
  'atLeastOne', 'combinable', 'allowStdin', 'deprecated', 'deprecateAliases', 'defaultHelp', 'allowNo', 'delimiter'];
const UNMODELLED_ARG = ['multiple', 'options'];

/** What parsing needs of a command's definitions, worked out once per command (batches parse thousands of lines). */
interface Prepared {
  modelled: boolean;
  flags: [string, FlagDef][];
  /** a flag's position in `flags` (by name), where a parse keeps what was given for it */
  position: Map<string, number>;
  exclusive: [string, FlagDef][];
  args: [string, ArgDef][];
}
const prepared = new WeakMap<object, Prepared>();

function prepare(input: ParseInput): Prepared {
  let p = prepared.get(input.flags);
  if (!p) {
    const flags = Object.entries(input.flags);
    const args = Object.entries(input.args);
    p = {
      modelled: flags.every(([, f]) => UNMODELLED_FLAG.every((k) => !f[k])
        && typeof f.default !== 'function' && !(f.type === 'boolean' && f.env))
        && args.every(([, a]) => UNMODELLED_ARG.every((k) => !a[k]) && typeof a.default !== 'function'),
      flags,
      position: new Map(flags.map(([name], k) => [name, k])),
      exclusive: flags.filter(([, f]) => f.exclusive),
      args,
    };
    prepared.set(input.flags, p);
  }
  return p;
}

/**
 * The environment flags read: the command's own (a batch gives its lines one copy, taken once:
 * each read of process.env is a call into the runtime, three a line), else the process's.
 */
export function envOf(context: unknown): NodeJS.ProcessEnv {
  return (context as { env?: NodeJS.ProcessEnv } | undefined)?.env ?? process.env;
}

/**
 * Parses at once when every parse function answers at once (xgt's do: see flags.ts), so a batch
 * line's command waits no turn of the event loop for its flags; a parse function that returns a
 * promise is awaited, as oclif would.
 */
export function liteParse(argv: readonly string[], input: ParseInput, context: unknown): ParseOutput | Promise<ParseOutput> {
  const prep = prepare(input);
  const env = envOf(context);
  if (!prep.modelled) throw new Fallback('the command uses a flag feature only oclif models');
  const given: (string | true | undefined)[] = new Array(prep.flags.length);
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === '-' || !tok.startsWith('-')) {
      // oclif takes a word with '=' for a flag's inline value and moves it about: not modelled
      if (tok.includes('=')) throw new Fallback(`argument with '=': ${tok}`);
      positional.push(tok);
      continue;
    }
    if (!tok.startsWith('--') || tok === '--') throw new Fallback(`token ${tok}`);
    const eq = tok.indexOf('=');
    const name = eq === -1 ? tok.slice(2) : tok.slice(2, eq);
    const at = prep.position.get(name);
    if (at === undefined || given[at] !== undefined) throw new Fallback(`flag ${tok}`);
    const def = prep.flags[at][1];
    if (def.type === 'boolean') {
      if (eq !== -1) throw new Fallback(`boolean with a value: ${tok}`);
      given[at] = true;
      continue;
    }
    const value = eq === -1 ? argv[++i] : tok.slice(eq + 1);
    if (value === undefined || value.startsWith('-')) throw new Fallback(`value of --${name}`);
    given[at] = value;
  }

  let pending: Promise<unknown>[] | undefined;
  const flags: Record<string, unknown> = {};
  // (index access rather than destructuring: a batch's first lines run before V8 optimises, and
  // unoptimised code destructures an array through the iterator protocol, a few times the cost)
  for (let f = 0; f < prep.flags.length; f++) {
    const name = prep.flags[f][0];
    const def = prep.flags[f][1];
    const raw = given[f] ?? (def.env ? env[def.env] || undefined : undefined);
    if (raw === undefined) {
      if (def.default !== undefined) flags[name] = def.default;
      else if (def.required) throw new Fallback(`missing --${name}`);
      continue;
    }
    if (def.type === 'option' && def.options && !def.options.includes(raw as string)) throw new Fallback(`--${name} option`);
    pending = settle(flags, name, def, raw, context, pending);
  }

  const argDefs = prep.args;
  if (input.strict && positional.length > argDefs.length) throw new Fallback('unexpected arguments');
  const args: Record<string, unknown> = {};
  for (let k = 0; k < argDefs.length; k++) {
    const name = argDefs[k][0];
    const def = argDefs[k][1];
    if (k < positional.length) pending = settle(args, name, def, positional[k], context, pending);
    else if (def.required || !def.ignoreStdin) {
      // a missing argument oclif would look for on stdin, or report
      throw new Fallback(`argument ${name}`);
    } else if (def.default || def.default === false) {
      // (oclif ignores the other falsy defaults)
      args[name] = def.default;
    }
  }
  return pending
    ? Promise.all(pending).then(() => finish(prep, given, env, flags, args, positional))
    : finish(prep, given, env, flags, args, positional);
}

/** A flag's or argument's value, parsed; a parse that answers with a promise joins `pending`. */
function settle(into: Record<string, unknown>, name: string, def: FlagDef | ArgDef, raw: unknown, context: unknown,
  pending: Promise<unknown>[] | undefined): Promise<unknown>[] | undefined {
  const v = parseOrDecline(def, raw, context);
  if (!(v instanceof Promise)) {
    into[name] = v;
    return pending;
  }
  (pending ??= []).push(v.then((x) => { into[name] = x; }));
  return pending;
}

function finish(prep: Prepared, given: unknown[], env: NodeJS.ProcessEnv, flags: Record<string, unknown>,
  args: Record<string, unknown>, positional: string[]): ParseOutput {
  // a flag that took its default neither excludes others nor is excluded
  const chosen = (name: string) => {
    const at = prep.position.get(name);
    const envName = at === undefined ? undefined : prep.flags[at][1].env;
    return flags[name] !== undefined && ((at !== undefined && given[at] !== undefined) || (envName !== undefined && !!env[envName]));
  };
  for (let e = 0; e < prep.exclusive.length; e++) {
    const name = prep.exclusive[e][0];
    if (chosen(name) && prep.exclusive[e][1].exclusive!.some(chosen)) throw new Fallback(`--${name} is exclusive`);
  }
  const argDefs = prep.args;
  const out: unknown[] = [];
  for (let k = 0; k < argDefs.length; k++) if (Object.hasOwn(args, argDefs[k][0])) out.push(args[argDefs[k][0]]);
  for (let k = argDefs.length; k < positional.length; k++) out.push(positional[k]);
  return { flags, args, argv: out };
}

/** A value the parse function refuses: oclif words the error (it prefixes the flag's name), so let it. */
function parseOrDecline(def: { parse?: (i: never, c: unknown, d: never) => unknown }, raw: unknown, ctx: unknown): unknown {
  if (!def.parse) return raw;
  let v: unknown;
  try {
    v = def.parse(raw as never, ctx, def as never);
  } catch {
    throw new Fallback('a value the parser refused');
  }
  return v instanceof Promise ? v.catch(() => { throw new Fallback('a value the parser refused'); }) : v;
}
