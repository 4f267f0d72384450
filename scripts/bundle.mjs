// Builds the two bundles bin/run.js loads. dist/xgt-fast.mjs runs the everyday invocations on a
// lite stand-in for @oclif/core; dist/xgt.mjs is the CLI, every command and @oclif/core in one ES
// module (oclif finds the commands in it through its "explicit" command strategy, package.json
// oclif.commands), for everything else. Each is one file, so a cold start reads one file instead
// of resolving and compiling some 300.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
      "export { run, flush, Config } from '@oclif/core';",
      "export { hoistGlobalFlags } from './cli/argv.js';",
      "export { reportTopLevelError } from './cli/top-level.js';",
      ...commandImports,
      `export const COMMANDS = ${commandTable};`,
    ].join('\n'),
    resolveDir: join(root, 'src'), loader: 'ts', sourcefile: 'bundle-entry.ts',
  },
  outfile: join(root, 'dist/xgt.mjs'),
});

// dist/xgt-fast.mjs: the same commands on the lite core instead of oclif (src/cli/lite), each
// command in its own chunk loaded when run, so a start compiles only the code it uses.
// better-sqlite3's JavaScript is bundled (its compiled module is named directly, see store.ts).
rmSync(join(root, 'dist/chunks'), { recursive: true, force: true });
const loaders = files.map((f, i) =>
  `${JSON.stringify(ids[i])}: () => import('./${relative(join(root, 'src'), f).replace(/\.ts$/, '.js')}').then((m) => m.default)`);
const fast = await build({
  ...common,
  external: common.external.filter((m) => m !== 'better-sqlite3'),
  stdin: {
    contents: [
      "import { liteConfig, runFast as run } from './cli/lite/dispatch.js';",
      "import { fileURLToPath } from 'node:url';",
      `const config = liteConfig({ ${loaders.join(', ')} }, () => import(new URL('./xgt.mjs', import.meta.url).href), fileURLToPath(new URL('..', import.meta.url)));`,
      'export const runFast = (argv) => run(argv, config);',
      // the agent runs a native batch's lines through this (src/native/agent/batch.ts)
      // (loaded when asked for: a cold start must not pay for the batch machinery)
      "let pipeline;",
      "export const runBatchScript = async (...a) => (await (pipeline ??= import('./cli/batch-pipeline.js'))).runScriptOn(config, ...a);",
    ].join('\n'),
    resolveDir: join(root, 'src'), loader: 'ts', sourcefile: 'fast-entry.ts',
  },
  alias: { '@oclif/core': join(root, 'src/cli/lite/core.ts') },
  splitting: true,
  outdir: join(root, 'dist'),
  entryNames: 'xgt-fast',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
});

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
