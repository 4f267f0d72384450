/**
 * Usage errors in one clear line: oclif's parse messages reworded where they run on or double
 * up, and "did you mean …?" for a command or flag that is not there but nearly is.
 */
import { closest, distance } from 'fastest-levenshtein';

/** The candidate nearest to `typed`, if it is near enough to be a slip (a third of its length, at least 2). */
export function nearest(typed: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(typed, candidates as string[]);
  return distance(typed, best) <= Math.max(2, Math.floor(typed.length / 3)) ? best : undefined;
}

/**
 * A parse error's message as xgt says it: flags that exclude each other named once; an unknown
 * flag with the nearest of the command's own.
 */
export function rewordParseError(message: string, flagNames: readonly string[]): string {
  const both = /--([\w-]+)=\S* cannot also be provided when using --([\w-]+)/.exec(message);
  if (both) return `--${both[1]} and --${both[2]} cannot be used together`;
  const missing = /^Missing required flags? ([\w-]+)/.exec(message);
  if (missing) return `--${missing[1]} is required`;
  const unknown = /^Nonexistent flags?: (--?[\w-]+)/.exec(message);
  if (unknown) {
    const near = unknown[1].startsWith('--') ? nearest(unknown[1].slice(2), flagNames) : undefined;
    return `unknown flag ${unknown[1]}${near ? `; did you mean --${near}?` : ''}`;
  }
  return message;
}

/** An unknown command's one line: what was typed and, where one is near, the command meant. */
export function unknownCommand(words: readonly string[], ids: readonly string[]): string {
  const typed = words.join(' ');
  const spaced = ids.map((id) => id.replace(/:/g, ' '));
  const near = nearest(typed, spaced);
  return `unknown command '${typed}'${near ? `; did you mean '${near}'?` : ''} (see xgt --help)`;
}
