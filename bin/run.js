#!/usr/bin/env node
import { flush, hoistGlobalFlags, reportTopLevelError, run } from '../dist/xgt.mjs';

const argv = hoistGlobalFlags(process.argv.slice(2));
try {
  await run(argv, import.meta.url);
  await flush();
} catch (err) {
  // Errors that escape a command (unknown command or topic) get the same one-line, exit-2
  // treatment as the commands' own usage errors.
  reportTopLevelError(err, argv);
}
