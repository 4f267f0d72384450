// Builds the two bundles bin/run.js loads. dist/xgt-fast.cjs runs the everyday invocations on a
// lite stand-in for @oclif/core; dist/xgt.mjs is the CLI, every command and @oclif/core in one ES
// module (oclif finds the commands in it through its "explicit" command strategy, package.json
// oclif.commands), for everything else. Each is one file, so a cold start reads one file instead
// of resolving and compiling some 300.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
const commandImports = files.map((f, i) => `import C${i} from './${relative(join(root, 'src'), f).replace(/\.ts$/, '.js')}';`);
const commandTable = `{ ${ids.map((id, i) => `${JSON.stringify(id)}: C${i}`).join(', ')} }`;

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // the SQLite binding is a compiled module; cli-table3 and the native side load on demand
  external: ['better-sqlite3', 'cli-table3', 'execa', 'typescript', 'ts-node'],
  banner: { js: "import { createRequire as __xgtRequire } from 'node:module'; const require = __xgtRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
  metafile: !!process.env.BUNDLE_META,
};

// dist/xgt.mjs: oclif and every command — help, topics, errors, everything the fast path declines
const full = await build({
  ...common,
  stdin: {
    contents: [
      "export { run, flush, Config, Parser } from '@oclif/core';",
      "export { hoistGlobalFlags } from './cli/argv.js';",
      "export { reportTopLevelError } from './cli/top-level.js';",
      ...commandImports,
      `export const COMMANDS = ${commandTable};`,
    ].join('\n'),
    resolveDir: join(root, 'src'), loader: 'ts', sourcefile: 'bundle-entry.ts',
  },
  outfile: join(root, 'dist/xgt.mjs'),
});

// dist/xgt-fast.cjs: the same commands on the lite core instead of oclif (src/cli/lite), in one
// CommonJS file that bin/run.js compiles with V8's code cache (src/cli/lite/bundle-loader.ts, built
// alone as dist/load-fast.cjs). Its first line stamps it with a hash of itself, which the cache
// written for it carries too. better-sqlite3's JavaScript is bundled (its compiled module is
// named directly, see store.ts).
const loaders = files.map((f, i) =>
  `${JSON.stringify(ids[i])}: () => import('./${relative(join(root, 'src'), f).replace(/\.ts$/, '.js')}').then((m) => m.default)`);
const fastFile = join(root, 'dist/xgt-fast.cjs');
const fast = await build({
  ...common,
  format: 'cjs',
  external: common.external.filter((m) => m !== 'better-sqlite3'),
  // a CommonJS module knows its own file: import.meta.url is made from it
  define: { 'import.meta.url': '__xgtModuleUrl' },
  banner: { js: "'use strict';\nconst __xgtModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  stdin: {
    contents: [
      "import { liteConfig, runFast as run } from './cli/lite/dispatch.js';",
      "import { importEsm } from './import-esm.js';",
      "export { setEsmImporter } from './import-esm.js';",
      `const config = liteConfig({ ${loaders.join(', ')} }, () => importEsm(new URL('./xgt.mjs', import.meta.url).href));`,
      'export const runFast = (argv) => run(argv, config);',
    ].join('\n'),
    resolveDir: join(root, 'src'), loader: 'ts', sourcefile: 'fast-entry.ts',
  },
  alias: { '@oclif/core': join(root, 'src/cli/lite/core.ts') },
  write: false,
  outfile: fastFile,
});
{
  // ASCII only, so that a start reads it as latin1 (bundle-loader.ts): esbuild escapes what is not
  // ASCII in code, and what remains is in comments, where an escape changes nothing
  const code = fast.outputFiles[0].text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(fastFile, `//xgt-fast:${createHash('sha256').update(code).digest('hex').slice(0, 16)}\n${code}`);
}
await build({
  ...common,
  format: 'cjs',
  banner: {},
  entryPoints: [join(root, 'src/cli/lite/bundle-loader.ts')],
  outfile: join(root, 'dist/load-fast.cjs'),
});
// the code cache: what V8 compiled running everyday commands on a scratch emulated host
// (the commands' own output, failures included, is no news: shown only if the script fails)
try {
  execFileSync(process.execPath, [join(root, 'scripts/code-cache.mjs'), fastFile], { stdio: 'pipe' });
} catch (e) {
  process.stderr.write(e.stderr ?? '');
  throw e;
}

if (process.env.BUNDLE_META) {
  for (const result of [full, fast]) {
    const by = {};
    for (const [k, v] of Object.entries(result.metafile.inputs)) {
      const key = k.replace(/.*node_modules\//, '').split('/').slice(0, k.includes('@') ? 2 : 1).join('/');
      by[key] = (by[key] || 0) + v.bytes;
    }
    console.log(Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 12));
  }
}

// dist/build-id: which build this is, a hash of everything in dist/. A running agent keeps the
// code it started with across an update of xgt; comparing the id it started with to the one on
// disk tells it (and `xgt agent status`) that its code and the files it would load next differ.
{
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p !== join(root, 'dist/build-id')) hash.update(`${relative(root, p)}\0`).update(readFileSync(p));
    }
  };
  walk(join(root, 'dist'));
  writeFileSync(join(root, 'dist/build-id'), `${hash.digest('hex').slice(0, 16)}\n`);
}
