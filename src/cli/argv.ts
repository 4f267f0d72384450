/**
 * Global flags may come before the command, as with xl (`xgt --json gnttab list`); oclif wants
 * them after the command id, so they are moved there.
 */
/** The global flags that take a value. */
export const GLOBAL_WITH_VALUE = new Set(['--backend', '--state', '--as', '--trace']);

export function hoistGlobalFlags(argv: string[]): string[] {
  // the end of the leading global flags (and their values)
  let i = 0;
  while (i < argv.length && argv[i].startsWith('--')) {
    const eq = argv[i].indexOf('=');
    if (argv[i] === '--json') i++;
    else if (GLOBAL_WITH_VALUE.has(eq === -1 ? argv[i] : argv[i].slice(0, eq))) i += eq === -1 ? 2 : 1;
    else break;
  }
  i = Math.min(i, argv.length);
  if (i === 0) return argv;
  // the command's words, then the global flags, then the rest
  let j = i;
  while (j < argv.length && !argv[j].startsWith('-')) j++;
  const out = argv.slice(i, j);
  for (let k = 0; k < i; k++) out.push(argv[k]);
  for (let k = j; k < argv.length; k++) out.push(argv[k]);
  return out;
}
