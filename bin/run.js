#!/usr/bin/env node
import { flush, run } from '@oclif/core';

// Errors that escape a command (unknown command, bad topic) get the same one-line, exit-2
// treatment as the commands' own usage errors.
try {
  await run(process.argv.slice(2), import.meta.url);
  await flush();
} catch (err) {
  const { reportTopLevelError } = await import('../dist/cli/top-level.js');
  reportTopLevelError(err, process.argv.slice(2));
}
