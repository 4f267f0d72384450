import { Args, Command, Config, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { parse as parseShellWords } from 'shell-quote';
import { hoistGlobalFlags } from '../cli/argv.js';
import { setBatch } from '../cli/batch-context.js';
import { XgtCommand } from '../cli/base.js';
import { isFallback } from '../cli/lite/fallback.js';
import type { LiteConfig } from '../cli/lite/dispatch.js';
import { usage, XgtError } from '../errors.js';
import type { Backend } from '../backend/types.js';

const GROUP_LINES = 64;
const GROUP_MS = 5;

type CommandClass = new (argv: string[], config: Config) => Command & { _run(): Promise<unknown> };
type ConfigLike = { findCommand(id: string): { load(): Promise<unknown> } | undefined };

export default class Batch extends XgtCommand {
  /** per config (the fast path's, and oclif's for lines it declines): id → class */
  private readonly classes = new Map<ConfigLike, Map<string, CommandClass>>();

  static summary = 'Run one command per line (without the leading xgt) in one process; one JSON line per command';
  static description = 'Lines are split like a shell does (quotes, backslashes); empty lines and # comments are skipped. '
    + '$VAR and ${VAR} expand from the environment. Stops at the first failure, with its exit code, unless --keep-going. '
    + 'Global flags given to batch apply to every line.';
  static examples = ['<%= config.bin %> batch script.txt', 'printf "gnttab grant --to 0\\ngnttab list\\n" | <%= config.bin %> batch'];
  static args = { file: Args.string({ ignoreStdin: true, description: "the script ('-' or nothing: stdin)" }) };
  static flags = { 'keep-going': Flags.boolean({ summary: 'run every line, whatever fails', default: false }) };

  async run() {
    const { args, flags } = await this.parse(Batch);
    let text: string;
    try {
      text = readFileSync(args.file === undefined || args.file === '-' ? 0 : args.file, 'utf8');
    } catch (e) {
      throw usage(this.op, `cannot read ${args.file ?? 'stdin'}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    // the batch's own global flags become every line's defaults
    if (flags.state !== undefined) process.env.XGT_STATE = flags.state;
    if (flags.as !== undefined) process.env.XGT_AS = String(flags.as);
    process.env.XGT_BACKEND = flags.backend;

    const pool = new Map<string, Backend>();
    const output: string[] = [];
    setBatch({ pool, output });
    // Group commit: lines run as savepoints of one transaction, committed every GROUP_LINES
    // lines or GROUP_MS, and their output printed only once committed — so a killed batch
    // never printed a result that did not land.
    let pending = 0;
    let since = Date.now();
    const flush = () => {
      for (const b of pool.values()) b.flushBatch?.();
      if (output.length) process.stdout.write(output.splice(0).join(''));
      pending = 0;
      since = Date.now();
    };
    let firstFailure = 0;
    let ran = 0;
    try {
      for (const [i, line] of text.split('\n').entries()) {
        const words = this.words(line, i + 1);
        if (Array.isArray(words) && words.length === 0) continue;
        ran++;
        let code: number;
        if (words instanceof XgtError) code = this.report(words);
        else {
          // a wait may block: whatever came before must be committed and printed first, since
          // the other side may need to read it to send the event (a poll cannot block)
          if (words[0] === 'evtchn' && words[1] === 'wait' && !isPoll(words)) flush();
          code = await this.runLine(words, i + 1);
        }
        if (++pending >= GROUP_LINES || Date.now() - since >= GROUP_MS) flush();
        if (code !== 0 && firstFailure === 0) firstFailure = code;
        if (code !== 0 && !flags['keep-going']) break;
      }
      flush();
    } finally {
      setBatch(undefined);
      for (const b of pool.values()) b.close();
    }
    process.exitCode = firstFailure;
    if (!this.jsonEnabled()) process.stderr.write(`batch: ${ran} command(s) run${firstFailure ? `, stopped or failed with exit ${firstFailure}` : ''}\n`);
  }

  /** The line's words, or the usage error that makes it no command at all. */
  private words(line: string, n: number): string[] | XgtError {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return [];
    const parsed = parseShellWords(trimmed, (name) => process.env[name] ?? '');
    if (parsed.some((w) => typeof w !== 'string')) {
      return usage('batch', `line ${n}: shell operators are not supported`);
    }
    return hoistGlobalFlags(parsed as string[]);
  }

  private report(e: XgtError): number {
    this.logJson({ error: e.toJSON() });
    return e.exitCode;
  }

  /** Runs one line as its own command; returns its exit code. */
  private async runLine(words: string[], n: number): Promise<number> {
    const ids = this.config.commandIDs;
    let take = 0;
    for (let k = words.length; k > 0; k--) {
      if (ids.includes(words.slice(0, k).join(':'))) { take = k; break; }
    }
    const id = words.slice(0, take).join(':');
    if (!take || id === 'batch') {
      const e = usage('batch', `line ${n}: ${take ? 'batch cannot run batch' : `unknown command '${words.slice(0, 2).join(' ')}'`}`);
      this.logJson({ error: e.toJSON() });
      return e.exitCode;
    }
    // --json first: after a stray "--" in the line it would be taken for an argument
    const argv = ['--json', ...words.slice(take).filter((w) => w !== '--json')];
    process.exitCode = 0;
    try {
      try {
        await this.runCommand(this.config, id, argv);
      } catch (err) {
        if (!isFallback(err)) throw err;
        // the fast path declined the line (nothing ran): oclif runs it, and words its errors
        await this.runCommand(await (this.config as unknown as LiteConfig).fullConfig(), id, argv);
      }
    } catch (err) {
      const e = err instanceof XgtError ? err : usage(id.replace(/:/g, '.'), (err as Error).message);
      this.logJson({ error: e.toJSON() });
      return e.exitCode;
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return code;
  }

  /**
   * Straight to the command with an already loaded config: Command.run would reload the whole
   * config (package.json, manifest, plugins) for every line.
   */
  private async runCommand(config: ConfigLike, id: string, argv: string[]): Promise<void> {
    let cls = this.classes.get(config)?.get(id);
    if (!cls) {
      cls = (await config.findCommand(id)!.load()) as CommandClass;
      if (!this.classes.has(config)) this.classes.set(config, new Map());
      this.classes.get(config)!.set(id, cls);
    }
    const cmd = new cls(argv, config as Config);
    cmd.id = id;
    await cmd._run();
  }
}

/** `evtchn wait … --timeout 0` returns at once: nothing needs committing before it. */
function isPoll(words: string[]): boolean {
  const k = words.indexOf('--timeout');
  return words.includes('--timeout=0') || (k !== -1 && words[k + 1] === '0');
}
