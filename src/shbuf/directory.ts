/**
 * Page-directory shared buffers as Linux's xen-front-pgdir-shbuf lays them out (docs/XEN-RULES.md: shared buffers):
 * each directory page is { u32 gref_dir_next_page; u32 gref[1023] }, 0 ends the chain.
 * Built only on the gnttab primitives of the backend interface, so it works on both backends.
 */
import { refused } from '../errors.js';
import { PAGE_SIZE } from '../xen.js';
import type { Backend } from '../backend/types.js';

export const REFS_PER_DIR_PAGE = (PAGE_SIZE - 4) / 4; // 1023
const LIST_END = 0;

export function dirPagesFor(pages: number): number {
  return Math.ceil(pages / REFS_PER_DIR_PAGE);
}

/** The directory's bytes: page i links to dirRefs[i + 1] and lists its share of `refs`. */
export function encodeDirectory(dirRefs: number[], refs: number[]): Buffer {
  const buf = Buffer.alloc(dirRefs.length * PAGE_SIZE);
  dirRefs.forEach((_, i) => {
    const page = i * PAGE_SIZE;
    buf.writeUInt32LE(dirRefs[i + 1] ?? LIST_END, page);
    refs.slice(i * REFS_PER_DIR_PAGE, (i + 1) * REFS_PER_DIR_PAGE).forEach((ref, j) => buf.writeUInt32LE(ref, page + 4 + 4 * j));
  });
  return buf;
}

export function decodeDirPage(page: Uint8Array): { next: number; refs: number[] } {
  const b = Buffer.from(page.buffer, page.byteOffset, page.byteLength);
  const refs = [];
  for (let j = 0; j < REFS_PER_DIR_PAGE; j++) refs.push(b.readUInt32LE(4 + 4 * j));
  return { next: b.readUInt32LE(0), refs };
}

/**
 * Walks a directory chain, reading each page with `readPage`, and returns its first `pages`
 * data refs and the directory refs. EINVAL when the chain ends (or loops) before `pages` refs.
 */
export async function walkDirectory(dirRef: number, pages: number, readPage: (ref: number) => Promise<Uint8Array>,
  op: string): Promise<{ dirRefs: number[]; refs: number[] }> {
  const dirRefs: number[] = [];
  const refs: number[] = [];
  let ref = dirRef;
  while (refs.length < pages) {
    if (ref === LIST_END || dirRefs.includes(ref)) {
      throw refused('EINVAL', op, `the directory from ref ${dirRef} lists ${refs.length} refs, ${pages} asked`);
    }
    dirRefs.push(ref);
    const page = decodeDirPage(await readPage(ref));
    refs.push(...page.refs.slice(0, Math.min(REFS_PER_DIR_PAGE, pages - refs.length)));
    ref = page.next;
  }
  return { dirRefs, refs };
}

/** Reads a page another domain granted us, through a short-lived read-only mapping. */
export async function readForeignPage(b: Backend, domid: number, ref: number): Promise<Uint8Array> {
  const m = await b.gnttab.map(domid, [ref], true);
  try {
    return await b.gnttab.read({ index: m.index }, 0, PAGE_SIZE);
  } finally {
    await b.gnttab.unmap(m.index);
  }
}
