// Builds dist/xgt.mjs: the CLI, every command and @oclif/core in one ES module, so that a cold
// start reads one file instead of resolving and compiling some 300. oclif finds the commands in
// it through its "explicit" command strategy (package.json oclif.commands).
import { build } from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const commandsDir = join(root, 'src/commands');
const files = [];
(function walk(dir) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (f.endsWith('.ts')) files.push(p);
  }
})(commandsDir);
files.sort();
const ids = files.map((f) => relative(commandsDir, f).replace(/\.ts$/, '').split('/').join(':'));
const contents = [
  "export { run, flush } from '@oclif/core';",
  "export { hoistGlobalFlags } from './cli/argv.js';",
  "export { reportTopLevelError } from './cli/top-level.js';",
  ...files.map((f, i) => `import C${i} from './${relative(join(root, 'src'), f).replace(/\.ts$/, '.js')}';`),
  `export const COMMANDS = { ${ids.map((id, i) => `${JSON.stringify(id)}: C${i}`).join(', ')} };`,
].join('\n');

const result = await build({
  stdin: { contents, resolveDir: join(root, 'src'), loader: 'ts', sourcefile: 'bundle-entry.ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(root, 'dist/xgt.mjs'),
  // the SQLite binding is a compiled module; cli-table3 and the native side load on demand
  external: ['better-sqlite3', 'cli-table3', 'execa', 'typescript', 'ts-node'],
  banner: { js: "import { createRequire as __xgtRequire } from 'node:module'; const require = __xgtRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
  metafile: !!process.env.BUNDLE_META,
});
if (process.env.BUNDLE_META) { const m = result.metafile.inputs; const by = {}; for (const [k, v] of Object.entries(m)) { const key = k.replace(/.*node_modules\//, '').split('/').slice(0, k.includes('@') ? 2 : 1).join('/'); by[key] = (by[key] || 0) + v.bytes; } console.log(Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 12)); }
