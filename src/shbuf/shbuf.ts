/**
 * The two modes of a page-directory shared buffer. Frontend-allocated: the sharer grants the
 * directory and every data page. Backend-allocated: the sharer grants only the directory, the
 * other side fills it with refs of its own pages, and the sharer maps those.
 */
import type { Backend } from '../backend/types.js';
import { PAGE_SIZE } from '../xen.js';
import { dirPagesFor, encodeDirectory, readForeignPage, walkDirectory } from './directory.js';

export interface ShbufAllocResult {
  dir_ref: number; dir_refs: number[]; refs: number[]; pages: number; index: number; be_alloc: boolean;
}

export async function shbufAlloc(b: Backend, to: number, pages: number, beAlloc: boolean): Promise<ShbufAllocResult> {
  const dirPages = dirPagesFor(pages);
  const g = await b.gnttab.grant(to, dirPages + (beAlloc ? 0 : pages), false);
  const dirRefs = g.refs.slice(0, dirPages);
  const refs = beAlloc ? [] : g.refs.slice(dirPages);
  try {
    await b.gnttab.write({ ref: dirRefs[0] }, 0, encodeDirectory(dirRefs, refs));
  } catch (e) {
    await b.gnttab.ungrant(g.index);
    throw e;
  }
  return { dir_ref: dirRefs[0], dir_refs: dirRefs, refs, pages, index: g.index, be_alloc: beAlloc };
}

/**
 * Maps a buffer's data pages as one mapping. Frontend-allocated (the default): the directory
 * and the data are `domid`'s. Backend-allocated: the directory is ours, the data `domid`'s.
 */
export async function shbufMap(b: Backend, domid: number, dirRef: number, pages: number, beAlloc: boolean) {
  const readPage = beAlloc
    ? (ref: number) => b.gnttab.read({ ref }, 0, PAGE_SIZE)
    : (ref: number) => readForeignPage(b, domid, ref);
  const { refs } = await walkDirectory(dirRef, pages, readPage, 'shbuf.map');
  const m = await b.gnttab.map(domid, refs, false);
  return { index: m.index, refs, pages };
}

/** Backend-allocated mode, the backend's side: grant `pages` of ours and list them in `domid`'s directory. */
export async function shbufFill(b: Backend, domid: number, dirRef: number, pages: number) {
  const { dirRefs } = await walkDirectory(dirRef, pages, async (ref) => {
    const page = Buffer.from(await readForeignPage(b, domid, ref));
    page.fill(0, 4); // the refs are ours to fill; only the chain link counts now
    return page;
  }, 'shbuf.fill');
  const g = await b.gnttab.grant(domid, pages, false);
  try {
    const content = encodeDirectory(dirRefs, g.refs);
    for (let i = 0; i < dirRefs.length; i++) {
      const m = await b.gnttab.map(domid, [dirRefs[i]], false);
      try {
        await b.gnttab.write({ index: m.index }, 4, content.subarray(i * PAGE_SIZE + 4, (i + 1) * PAGE_SIZE));
      } finally {
        await b.gnttab.unmap(m.index);
      }
    }
  } catch (e) {
    await b.gnttab.ungrant(g.index);
    throw e;
  }
  return { refs: g.refs, index: g.index, dir_refs: dirRefs, pages };
}
