/**
 * Loads the fast path's bundle (dist/xgt-fast.cjs) with V8's code cache: a cold start then
 * deserializes the functions an everyday command runs instead of parsing and compiling them
 * (Node 20 has no compile cache of its own). The build writes the cache by running such commands
 * (scripts/code-cache.mjs). The bundle is CommonJS because vm.Script can take a cache and an ES
 * module cannot; loading no ES module at all also spares a start Node's ESM loader.
 *
 * V8 checks a cache against its own version and flags and the source's length only, so the build
 * stamps the bundle and its cache with a hash of the bundle: a cache from another build is never
 * used, whatever its length. A cache V8 refuses (another Node, other flags) costs a compile, as if
 * there were none.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** What dist/xgt-fast.cjs exports (its entry is written by scripts/bundle.mjs). */
export interface FastBundle {
  runFast(argv: string[]): Promise<boolean>;
  setEsmImporter(use: (specifier: string) => Promise<unknown>): void;
}

export interface LoadedBundle {
  exports: FastBundle;
  /** whether a cache was offered and V8 took it */
  cached: boolean;
  /** the cache to write for this build: its stamp, then what V8 has compiled so far */
  cacheData(): Buffer;
}

/** The bundle's first line: `//xgt-fast:` and 16 hex digits. */
const STAMP_PREFIX = '//xgt-fast:';
const STAMP_LENGTH = STAMP_PREFIX.length + 16;

export function cacheFileOf(bundleFile: string): string {
  return `${bundleFile}.cache`;
}

export function loadFastBundle(file: string): LoadedBundle {
  // the build writes it in ASCII (scripts/bundle.mjs): read as latin1, it needs no UTF-8 decoding
  // and becomes a one-byte string, which V8 keeps and scans at half the size
  const source = readFileSync(file, 'latin1');
  const stamp = source.startsWith(STAMP_PREFIX) ? source.slice(0, STAMP_LENGTH) : undefined;
  const cachedData = stamp === undefined ? undefined : cacheFor(file, stamp);
  // CommonJS's own wrapper, so the bundle sees the module variables a require would give it
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} as FastBundle };
  (script.runInThisContext() as (...a: unknown[]) => void)
    .call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  // its import() of oclif's bundle (what the fast path declines) and of execa (see import-esm.ts)
  module.exports.setEsmImporter((specifier) => import(specifier));
  return {
    exports: module.exports,
    cached: cachedData !== undefined && !script.cachedDataRejected,
    cacheData: () => {
      if (stamp === undefined) throw new Error(`${file} has no build stamp: its cache could not be told from another build's`);
      return Buffer.concat([Buffer.from(`${stamp}\n`, 'latin1'), script.createCachedData()]);
    },
  };
}

/** The cache written for this very bundle, without its stamp; undefined if there is none. */
function cacheFor(file: string, stamp: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cacheFileOf(file));
  } catch {
    return undefined;
  }
  return data.toString('latin1', 0, STAMP_LENGTH + 1) === `${stamp}\n` ? data.subarray(STAMP_LENGTH + 1) : undefined;
}
