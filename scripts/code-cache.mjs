// Writes the fast bundle's V8 code cache (see src/cli/lite/bundle-loader.ts): loads the bundle
// as bin/run.js does, runs the everyday commands on a scratch emulated host — their failures
// too, since scripts meet those — and saves what V8 compiled. Run by scripts/bundle.mjs in a
// plain `node` process: V8 takes a cache only under the flags it was made with.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bundleFile = process.argv[2];
const { loadFastBundle, cacheFileOf } = createRequire(import.meta.url)('../dist/load-fast.cjs');

const scratch = mkdtempSync(join(tmpdir(), 'xgt-code-cache-'));
for (const name of Object.keys(process.env)) if (name.startsWith('XGT_')) delete process.env[name];
process.env.XGT_STATE = join(scratch, 'state.db');
process.env.XGT_BACKEND = 'emu';
const batchFile = join(scratch, 'batch.txt');
writeFileSync(batchFile, 'gnttab grant --to 0\nevtchn notify 18\nevtchn wait 18 --timeout 0\n');

// refs from 8 and ports from 18, as a new emulated host numbers them
const everyday = [
  'gnttab grant --to 0', 'gnttab grant --to 0 --pages 2 --json', 'gnttab map --domid 0 8', 'gnttab list --json',
  'gnttab list', 'gnttab unmap 0', 'gnttab ungrant 0', 'evtchn bind --unbound --remote 0',
  'evtchn bind --interdomain --remote 0 --remote-port 18 --json', 'evtchn notify 19', 'evtchn wait 18 --timeout 0',
  'evtchn list --json', 'evtchn list', 'evtchn notify 999', 'evtchn unbind 19', 'info --json', 'domain list --json',
  `batch ${batchFile}`,
];
try {
  const bundle = loadFastBundle(bundleFile);
  for (const line of everyday) {
    if (!(await bundle.exports.runFast(line.split(' ')))) throw new Error(`the fast path declined "${line}"`);
  }
  writeFileSync(cacheFileOf(bundleFile), bundle.cacheData());
  process.exitCode = 0;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
