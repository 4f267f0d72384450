/**
 * Reading an `xgt batch` script: one command a line, split into words as a shell would (quotes,
 * backslashes, $VAR and ${VAR} from the environment), blank lines and # comments skipped. Shell
 * operators are refused at their line.
 */
import { parse as parseShellWords } from 'shell-quote';
import { usage, type XgtError } from '../errors.js';
import { hoistGlobalFlags } from './argv.js';

/** A line of the script: its number, and its words or the usage error that makes it no command. */
export interface ScriptLine { n: number; words: string[] | XgtError }

/**
 * A line with nothing a shell would treat specially (no quotes, backslashes, $, globs, operators,
 * comments): its words are what splitting at blanks gives, and the shell parser, which costs far
 * more, is not needed. Nearly every line of a script is one.
 */
const PLAIN_LINE = /^[A-Za-z0-9_.,:=/@%+ \t-]*$/;

/** The words of a trimmed line, as a shell splits them; $VAR from `env`. */
export function shellWords(trimmed: string, env: NodeJS.ProcessEnv): ReturnType<typeof parseShellWords> {
  return PLAIN_LINE.test(trimmed) ? trimmed.split(/[ \t]+/) : parseShellWords(trimmed, (name) => env[name] ?? '');
}

/** The script's lines, read one at a time as the batch reaches them. */
export function* readScript(text: string, env: NodeJS.ProcessEnv = process.env): Generator<ScriptLine> {
  let n = 0;
  for (let start = 0; start <= text.length;) {
    const end = text.indexOf('\n', start);
    const raw = end === -1 ? text.slice(start) : text.slice(start, end);
    start = end === -1 ? text.length + 1 : end + 1;
    n++;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const parsed = shellWords(trimmed, env);
    const words = parsed.every((w) => typeof w === 'string')
      ? hoistGlobalFlags(parsed as string[])
      : usage('batch', `line ${n}: shell operators are not supported`);
    yield { n, words };
  }
}
