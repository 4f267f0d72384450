/**
 * The fast path of bin/run.js: finds the command in argv as oclif would, and runs it on the
 * lite core (see core.ts) — without loading oclif, its config, manifest and plugins. Whatever
 * it declines (help, topics, unknown commands, anything the lite parser does not model) it
 * reports as not run, and bin/run.js hands the invocation to oclif untouched.
 */
import { hoistGlobalFlags } from '../argv.js';
import { errorLine, toXgtError } from '../base.js';
import { isFallback } from './fallback.js';
import { parseDeclinedWith } from './core.js';
import { colourReady } from '../output.js';
import { writeDirectly, writeErr } from '../stdio.js';

export interface RunnableCommand {
  id?: string;
  _run(): Promise<unknown>;
}
export type CommandClass = new (argv: string[], config: never) => RunnableCommand;

/** What batch needs of a config, whether oclif's or this one. */
export interface LiteConfig {
  readonly lite: true;
  readonly commandIDs: string[];
  findCommand(id: string): { load(): Promise<CommandClass> } | undefined;
  /** has oclif's parser read what this one declines, from now on (for a batch's lines) */
  parseDeclined(): Promise<void>;
}

export interface FullBundle {
  Parser: { parse(argv: string[], options: object): Promise<unknown> };
}

export function liteConfig(commands: Record<string, () => Promise<CommandClass>>, loadFull: () => Promise<FullBundle>): LiteConfig {
  let full: Promise<void> | undefined;
  return {
    lite: true,
    commandIDs: Object.keys(commands),
    findCommand: (id) => (Object.hasOwn(commands, id) ? { load: commands[id] } : undefined),
    parseDeclined: () => (full ??= loadFull().then(({ Parser }) => {
      parseDeclinedWith((argv, input, context) => Parser.parse([...argv], { ...input, context }));
    })),
  };
}

/** The command id argv starts with (space-separated, as typed), and how many words it took. */
export function findCommandId(argv: readonly string[], ids: readonly string[]): [string, number] | undefined {
  const known = new Set(ids);
  for (let k = 1; k <= argv.length; k++) {
    // a colon-form id, or a flag before the id is complete: oclif's own rules apply
    if (argv[k - 1].includes(':') || argv[k - 1].startsWith('-')) return undefined;
    const id = argv.slice(0, k).join(':');
    if (known.has(id)) return ids.some((other) => other.startsWith(`${id}:`)) ? undefined : [id, k];
  }
  return undefined;
}

/** Runs argv if the fast path can; false means oclif must (nothing has been done or printed). */
export async function runFast(argv: string[], config: LiteConfig): Promise<boolean> {
  // a cold process of its own: its output need not wait for Node's streams (see stdio.ts)
  writeDirectly();
  const words = hoistGlobalFlags(argv);
  const found = findCommandId(words, config.commandIDs);
  if (!found) return false;
  const [id, k] = found;
  const cls = await config.findCommand(id)!.load();
  const cmd = new cls(words.slice(k), config as never);
  cmd.id = id;
  try {
    await cmd._run();
    return true;
  } catch (err) {
    if (isFallback(err)) return false;
    // the commands report their own errors; this is one that escaped them
    const e = toXgtError(err, id.replace(/:/g, '.'));
    process.exitCode = e.exitCode;
    await colourReady();
    writeErr(`${errorLine(e)}\n`);
    return true;
  }
}
