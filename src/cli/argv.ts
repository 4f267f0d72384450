/**
 * Global flags may come before the command, as with xl (`xgt --json gnttab list`); oclif wants
 * them after the command id, so they are moved there.
 */
/** The global flags that take a value. */
export const GLOBAL_WITH_VALUE = new Set(['--backend', '--state', '--as', '--trace']);

export function hoistGlobalFlags(argv: string[]): string[] {
  const globals: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i].startsWith('--')) {
    const name = argv[i].split('=')[0];
    if (argv[i] === '--json') globals.push(argv[i++]);
    else if (GLOBAL_WITH_VALUE.has(name)) {
      const inline = argv[i].includes('=');
      globals.push(argv[i++]);
      if (!inline && i < argv.length) globals.push(argv[i++]);
    } else break;
  }
  if (globals.length === 0) return argv;
  let j = i;
  while (j < argv.length && !argv[j].startsWith('-')) j++;
  return [...argv.slice(i, j), ...globals, ...argv.slice(j)];
}
