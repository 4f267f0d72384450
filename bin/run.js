#!/usr/bin/env node
import { flush, run } from '@oclif/core';

// Global flags may come before the command, as with xl (`xgt --json gnttab list`): oclif wants
// them after the command id, so they are moved there.
const GLOBAL_WITH_VALUE = new Set(['--backend', '--state', '--as']);
function hoistGlobalFlags(argv) {
  const globals = [];
  let i = 0;
  while (i < argv.length && argv[i].startsWith('--')) {
    const name = argv[i].split('=')[0];
    if (argv[i] === '--json') globals.push(argv[i++]);
    else if (GLOBAL_WITH_VALUE.has(name)) {
      globals.push(argv[i++]);
      if (!argv[i - 1].includes('=') && i < argv.length) globals.push(argv[i++]);
    } else break;
  }
  if (globals.length === 0) return argv;
  let j = i;
  while (j < argv.length && !argv[j].startsWith('-')) j++;
  return [...argv.slice(i, j), ...globals, ...argv.slice(j)];
}

const argv = hoistGlobalFlags(process.argv.slice(2));
try {
  await run(argv, import.meta.url);
  await flush();
} catch (err) {
  // Errors that escape a command (unknown command or topic) get the same one-line, exit-2
  // treatment as the commands' own usage errors.
  const { reportTopLevelError } = await import('../dist/cli/top-level.js');
  reportTopLevelError(err, argv);
}
