#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): a start that loads no ES module never starts Node's
// ESM loader. Most invocations run on the fast bundle, without loading oclif; what it declines
// (help, topics, errors of parsing, anything unusual) has done nothing yet and goes to oclif as
// typed.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// a clone whose build did not run (npm ci runs it: see package.json "prepare")
if (!existsSync(join(__dirname, '../dist/xgt-fast.cjs')) || !existsSync(join(__dirname, '../dist/xgt.mjs'))) {
  process.stderr.write(`xgt: not built: run \`npm run build\` in ${join(__dirname, '..')}\n`);
  process.exit(3);
}
const { loadFastBundle } = require('../dist/load-fast.cjs');

async function main(typed) {
  // XGT_FAST_PATH=0 sends everything to oclif (the tests compare the two paths with it)
  if (process.env.XGT_FAST_PATH !== '0' && (await loadFastBundle(join(__dirname, '../dist/xgt-fast.cjs')).exports.runFast(typed))) return;
  const { COMMANDS, flush, hoistGlobalFlags, reportTopLevelError, run } = await import('../dist/xgt.mjs');
  const argv = hoistGlobalFlags(typed);
  try {
    await run(argv, join(__dirname, '..'));
    await flush();
  } catch (err) {
    // Errors that escape a command (unknown command or topic) get the same one-line, exit-2
    // treatment as the commands' own usage errors.
    await reportTopLevelError(err, argv, Object.keys(COMMANDS));
  }
}

main(process.argv.slice(2));
