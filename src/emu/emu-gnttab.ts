/** The grant-table calls of the emulated host: each one transaction over gntalloc/gntdev rules. */
import { refused, XgtError } from '../errors.js';
import type { Gnttab, GrantResult, PageTarget } from '../backend/types.js';
import { reapIfIdle } from './domains.js';
import { grantingRow, requireLive } from './domain-rows.js';
import { allocGrefs, deallocRun, pagesFromRef } from './gntalloc.js';
import { frameForCopy } from './grant-table.js';
import { grantListing } from './inspect.js';
import { mapAt, mapGrants, mappedRun, unmapIndex } from './gntdev.js';
import { PAGE_SIZE } from '../xen.js';
import { type PageRun, readFrames, writeFrames } from './machine.js';
import type { StateStore } from './store.js';

export class EmuGnttab implements Gnttab {
  constructor(private readonly st: StateStore, private readonly domid: number) {}

  async grant(to: number, pages: number, readonly: boolean): Promise<GrantResult> {
    let failure: unknown;
    const res = this.st.tx(() => {
      const d = requireLive(this.st, this.domid, 'gnttab.grant');
      return allocGrefs(this.st, d, to, pages, Boolean(readonly), (fn) => {
        try {
          return this.st.db.transaction(fn)();
        } catch (e) {
          // a refused allocation keeps its index advance, as Linux does; anything else undoes all
          if (!(e instanceof XgtError)) throw e;
          failure = e;
          return undefined as unknown as GrantResult;
        }
      });
    });
    if (failure) throw failure;
    return res;
  }

  async ungrant(index: number) {
    return this.st.tx(() => deallocRun(this.st, this.domid, index));
  }

  async map(domid: number, refs: number[], readonly: boolean) {
    return this.st.tx(() => mapGrants(this.st, this.domid, domid, refs, Boolean(readonly)));
  }

  async unmap(index: number) {
    return this.st.tx(() => unmapIndex(this.st, this.domid, index, (g) => reapIfIdle(this.st, g)));
  }

  async limits(set: { gntalloc?: number; gntdev?: number }) {
    return this.st.tx(() => {
      requireLive(this.st, this.domid, 'gnttab.limit');
      if (set.gntalloc !== undefined) this.st.run('UPDATE domains SET gntalloc_limit = ? WHERE domid = ?', set.gntalloc, this.domid);
      if (set.gntdev !== undefined) this.st.run('UPDATE domains SET gntdev_limit = ? WHERE domid = ?', set.gntdev, this.domid);
      const d = this.st.get<{ gntalloc_limit: number; gntdev_limit: number }>(
        'SELECT gntalloc_limit, gntdev_limit FROM domains WHERE domid = ?', this.domid)!;
      return { gntalloc_limit: d.gntalloc_limit, gntdev_map_limit: d.gntdev_limit };
    });
  }

  async list(domid = this.domid) {
    return this.st.read(() => grantListing(this.st, this.domid, domid));
  }

  async read(target: PageTarget, offset: number, length?: number) {
    return this.st.read(() => {
      const run = this.resolve(target, 'gnttab.read', false);
      const len = length ?? run.pages * PAGE_SIZE - offset;
      checkRange(run.pages, offset, len, 'gnttab.read');
      return readFrames(this.st, run, offset, len);
    });
  }

  async write(target: PageTarget, offset: number, data: Uint8Array) {
    return this.st.tx(() => {
      const run = this.resolve(target, 'gnttab.write', true);
      checkRange(run.pages, offset, data.length, 'gnttab.write');
      writeFrames(this.st, run, offset, data);
      return data.length;
    });
  }

  async copyFrom(domid: number, ref: number, offset: number, length?: number) {
    return this.st.read(() => {
      const len = length ?? Math.max(PAGE_SIZE - offset, 0);
      const mfn = this.frameForCopy('gnttab.copy', domid, ref, false, offset, len);
      return mfn === undefined ? Buffer.alloc(0) : readFrames(this.st, { pages: 1, frame: () => mfn }, offset, len);
    });
  }

  async copyTo(domid: number, ref: number, offset: number, data: Uint8Array) {
    return this.st.tx(() => {
      const mfn = this.frameForCopy('gnttab.copy', domid, ref, true, offset, data.length);
      if (mfn !== undefined) writeFrames(this.st, { pages: 1, frame: () => mfn }, offset, data);
      return data.length;
    });
  }

  private frameForCopy(op: string, granter: number, ref: number, intoGrant: boolean, offset: number, length: number) {
    requireLive(this.st, this.domid, op);
    return frameForCopy(this.st, op, this.domid, grantingRow(this.st, granter), granter, ref, intoGrant, offset, length);
  }

  private resolve(target: PageTarget, op: string, forWrite: boolean): PageRun {
    if ('ref' in target) return pagesFromRef(this.st, this.domid, target.ref, op);
    const m = mapAt(this.st, this.domid, target.index);
    if (!m) throw refused('ENOENT', op, `domain ${this.domid} has no mapping at index ${target.index}`);
    if (forWrite && m.readonly) {
      throw refused('EACCES', op, `the mapping at index ${target.index} is read-only`);
    }
    return mappedRun(this.st, this.domid, m);
  }
}

function checkRange(pages: number, offset: number, length: number, op: string): void {
  const size = pages * PAGE_SIZE;
  if (offset > size || offset + length > size || length < 0) {
    throw refused('EINVAL', op, `offset ${offset} + length ${length} runs past the end (${size} bytes)`);
  }
}

