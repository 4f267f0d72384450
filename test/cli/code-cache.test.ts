/**
 * The fast bundle's V8 code cache (src/cli/lite/bundle-loader.ts): the build's own cache is taken
 * by a plain `node`, and a cache that is not this bundle's — another build's, or one V8 refuses —
 * is never used: the commands then run compiled from source, with the same results.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = join(root, 'dist/xgt-fast.cjs');
const tmp = tmpDir();
afterAll(() => tmp.cleanup());
// copies of the bundle find better-sqlite3 as the original does
symlinkSync(join(root, 'node_modules'), tmp.file('node_modules'));

/** Loads `file` as bin/run.js does, in a child `node`, and runs one command on a new state. */
async function runFrom(file: string, state: string) {
  const script = `
    const { loadFastBundle } = require(${JSON.stringify(join(root, 'dist/load-fast.cjs'))});
    const loaded = loadFastBundle(${JSON.stringify(file)});
    loaded.exports.runFast(['evtchn', 'bind', '--unbound', '--remote', '0', '--json'])
      .then((ran) => process.stderr.write(JSON.stringify({ cached: loaded.cached, ran })));`;
  // (NODE_OPTIONS passes: V8 takes a cache only under the flags the build made it with)
  const env = { XGT_STATE: tmp.file(state), ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}) };
  const { stdout, stderr } = await execa(process.execPath, ['-e', script], { env, extendEnv: false });
  return { ...(JSON.parse(stderr) as { cached: boolean; ran: boolean }), out: stdout };
}

/** A copy of the bundle and its cache in the scratch directory, each changed by `edit`. */
function copyOf(name: string, edit: { bundle?: (s: string) => string; cache?: (b: Buffer) => Buffer }): string {
  const file = tmp.file(`${name}.cjs`);
  writeFileSync(file, (edit.bundle ?? String)(readFileSync(bundle, 'utf8')));
  if (edit.cache) writeFileSync(`${file}.cache`, edit.cache(readFileSync(`${bundle}.cache`)));
  else copyFileSync(`${bundle}.cache`, `${file}.cache`);
  return file;
}

describe("the fast bundle's code cache", () => {
  it("is taken for the build's own bundle", async () => {
    const r = await runFrom(bundle, 'own.db');
    expect(r).toMatchObject({ cached: true, ran: true });
    expect(JSON.parse(r.out)).toMatchObject({ port: 18, state: 'unbound' });
  });

  it("is never used for another build's bundle, even one of the same length", async () => {
    // another build: another stamp on the first line, the same length throughout
    const other = copyOf('other', { bundle: (s) => s.replace(/^(\/\/xgt-fast:[0-9a-f]{15})([0-9a-f])/, (_m, head, last) => head + (last === '0' ? '1' : '0')) });
    expect(readFileSync(other, 'utf8').slice(0, 40)).not.toBe(readFileSync(bundle, 'utf8').slice(0, 40));
    const r = await runFrom(other, 'other.db');
    expect(r).toMatchObject({ cached: false, ran: true });
    expect(JSON.parse(r.out)).toMatchObject({ port: 18, state: 'unbound' });
  });

  it('costs only a compile when V8 refuses it', async () => {
    const broken = copyOf('broken', { cache: (b) => Buffer.concat([b.subarray(0, 28), Buffer.alloc(b.length - 28, 0x5a)]) });
    const r = await runFrom(broken, 'broken.db');
    expect(r).toMatchObject({ cached: false, ran: true });
    expect(JSON.parse(r.out)).toMatchObject({ port: 18, state: 'unbound' });
  });

  it('is not looked for when the bundle carries no stamp', async () => {
    const unstamped = copyOf('unstamped', { bundle: (s) => s.slice(s.indexOf('\n') + 1) });
    const r = await runFrom(unstamped, 'unstamped.db');
    expect(r).toMatchObject({ cached: false, ran: true });
  });
});
