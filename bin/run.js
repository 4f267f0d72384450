#!/usr/bin/env node
// Most invocations run on the fast bundle, without loading oclif; what it declines (help,
// topics, errors of parsing, anything unusual) has done nothing yet and goes to oclif as typed.
import { runFast } from '../dist/xgt-fast.mjs';

const typed = process.argv.slice(2);
// XGT_FAST_PATH=0 sends everything to oclif (the tests compare the two paths with it)
if (process.env.XGT_FAST_PATH === '0' || !(await runFast(typed))) {
  const { flush, hoistGlobalFlags, reportTopLevelError, run } = await import('../dist/xgt.mjs');
  const argv = hoistGlobalFlags(typed);
  try {
    await run(argv, import.meta.url);
    await flush();
  } catch (err) {
    // Errors that escape a command (unknown command or topic) get the same one-line, exit-2
    // treatment as the commands' own usage errors.
    reportTopLevelError(err, argv);
  }
}
