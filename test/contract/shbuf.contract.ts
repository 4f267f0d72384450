/** Page-directory shared buffers (XEN-FACTS H) in both modes, shared with ourselves (works on every backend). */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { Backend } from '../../src/backend/types.js';
import { decodeDirPage } from '../../src/shbuf/directory.js';
import { PAGE_SIZE } from '../../src/xen.js';
import { shbufAlloc, shbufFill, shbufMap } from '../../src/shbuf/shbuf.js';
import type { ContractEnv } from './env.js';
import { expectRefused } from './expect.js';

export function shbufContract(makeEnv: () => ContractEnv): void {
  describe('shbuf contract', () => {
    const env = makeEnv();
    let b: Backend;

    beforeEach(async () => {
      b = await env.fresh();
    });
    afterAll(() => env.teardown());

    it('frontend-allocated: a chained directory of 1023 refs a page, 0 ending the chain', async () => {
      const { gntalloc_limit: was } = await b.gnttab.limits({ gntalloc: 2048 });
      expect(was).toBe(2048);
      const s = await shbufAlloc(b, b.domid, 1100, false).finally(() => b.gnttab.limits({ gntalloc: 1024 }));
      expect(s.dir_refs).toHaveLength(2);
      expect(s.refs).toHaveLength(1100);
      const first = decodeDirPage(await b.gnttab.read({ ref: s.dir_refs[0] }, 0, PAGE_SIZE));
      const second = decodeDirPage(await b.gnttab.read({ ref: s.dir_refs[1] }, 0, PAGE_SIZE));
      expect(first.next).toBe(s.dir_refs[1]);
      expect(first.refs).toEqual(s.refs.slice(0, 1023));
      expect(second.next).toBe(0);
      expect(second.refs.slice(0, 77)).toEqual(s.refs.slice(1023));
      expect(second.refs.slice(77).every((r) => r === 0)).toBe(true);
    });

    it('frontend-allocated: the other side walks the directory, maps the data, and the bytes are shared', async () => {
      const s = await shbufAlloc(b, b.domid, 40, false);
      const data = randomBytes(40 * PAGE_SIZE);
      await b.gnttab.write({ ref: s.refs[0] }, 0, data);
      const m = await shbufMap(b, b.domid, s.dir_ref, 40, false);
      expect(m.refs).toEqual(s.refs);
      expect(Buffer.from(await b.gnttab.read({ index: m.index }, 0)).equals(data)).toBe(true);
      await b.gnttab.write({ index: m.index }, 39 * PAGE_SIZE, Buffer.from('back'));
      expect(Buffer.from(await b.gnttab.read({ ref: s.refs[39] }, 0, 4)).toString()).toBe('back');
      await b.gnttab.unmap(m.index);
      expect((await b.gnttab.ungrant(s.index)).deferred).toEqual([]);
      expect((await b.gnttab.list()).granted).toEqual([]);
    });

    it('backend-allocated: the other side fills the directory with its refs; the sharer maps them', async () => {
      const s = await shbufAlloc(b, b.domid, 30, true);
      expect(s.refs).toEqual([]);
      const f = await shbufFill(b, b.domid, s.dir_ref, 30);
      expect(f.refs).toHaveLength(30);
      expect(decodeDirPage(await b.gnttab.read({ ref: s.dir_ref }, 0, PAGE_SIZE)).refs.slice(0, 30)).toEqual(f.refs);
      const m = await shbufMap(b, b.domid, s.dir_ref, 30, true);
      expect(m.refs).toEqual(f.refs);
      await b.gnttab.write({ index: m.index }, 5 * PAGE_SIZE, Buffer.from('into the backend pages'));
      expect(Buffer.from(await b.gnttab.read({ ref: f.refs[5] }, 0, 22)).toString()).toBe('into the backend pages');
    });

    it('a directory that ends before the asked pages is EINVAL, and nothing stays mapped', async () => {
      const s = await shbufAlloc(b, b.domid, 10, false);
      await expectRefused(shbufMap(b, b.domid, s.dir_ref, 11, false), 'EINVAL');
      expect((await b.gnttab.list()).mapped).toEqual([]);
    });
  });
}
