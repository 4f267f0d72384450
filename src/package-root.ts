/**
 * The package's root directory, found from wherever this code runs: dist/ (one bundle) or the
 * compiled tree, or src/ under the tests. Files the code needs at run time (the addon, the
 * agent's entry point) are named from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'xgt') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('xgt: cannot find its own package.json');
    dir = up;
  }
}
