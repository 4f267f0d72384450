/** --index / --ref: which page range of the acting domain gnttab read and write use. */
import { usage } from '../errors.js';
import type { PageTarget } from '../backend/types.js';
import { uintFlag } from './flags.js';
import { U32_MAX } from './numbers.js';

export const targetFlags = {
  index: uintFlag('index', 'a mapping this domain holds (its index)')({ exclusive: ['ref'] }),
  ref: uintFlag('ref', 'a page this domain granted (its ref)', U32_MAX)({ exclusive: ['index'] }),
  offset: uintFlag('offset', 'byte offset; may run across the pages of the mapping or grant run')({ default: 0 }),
};

export function pageTarget(op: string, f: { index?: number; ref?: number }): PageTarget {
  if (f.index !== undefined) return { index: f.index };
  if (f.ref !== undefined) return { ref: f.ref };
  throw usage(op, 'one of --index or --ref is required');
}
