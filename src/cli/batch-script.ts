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
  if (!PLAIN_LINE.test(trimmed)) return parseShellWords(trimmed, (name) => env[name] ?? '');
  // (splitting at one character costs less than at a pattern, and most lines have single spaces)
  return trimmed.includes('  ') || trimmed.includes('\t') ? trimmed.split(/[ \t]+/) : trimmed.split(' ');
}

/**
 * The script's first line that a shell would refuse to read — an unterminated quote — as a usage
 * error naming it; undefined when every line can be read. A batch checks this before it runs
 * anything, as `sh -n` would.
 */
export function syntaxError(text: string): XgtError | undefined {
  let n = 0;
  for (const raw of text.split('\n')) {
    n++;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || PLAIN_LINE.test(trimmed)) continue;
    const quote = unterminatedQuote(trimmed);
    if (quote) return usage('batch', `line ${n}: unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  }
  return undefined;
}

/**
 * The quote a line leaves open, if any. (shell-quote reads an unterminated quote as if it were
 * closed at the end of the line; a shell refuses the script.) A backslash escapes the next
 * character outside quotes and inside double quotes, as in sh; a # outside quotes starts a comment.
 */
function unterminatedQuote(line: string): '"' | "'" | undefined {
  let open: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (open === "'") {
      if (c === "'") open = undefined;
    } else if (c === '\\') {
      i++;
    } else if (open === '"') {
      if (c === '"') open = undefined;
    } else if (c === '"' || c === "'") {
      open = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return undefined;
    }
  }
  return open;
}

/**
 * The script's lines, read one at a time as the batch reaches them. A line may start with `xgt`,
 * as it would in a shell script.
 */
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
    if (!parsed.every((w) => typeof w === 'string')) {
      yield { n, words: usage('batch', `line ${n}: shell operators are not supported`) };
      continue;
    }
    const words = parsed as string[];
    yield { n, words: hoistGlobalFlags(words[0] === 'xgt' ? words.slice(1) : words) };
  }
}
