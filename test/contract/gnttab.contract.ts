/**
 * The grant-table contract: XEN-FACTS A (gntdev), B (gntalloc) and D (the hypervisor's map
 * checks), as a user of the CLI sees them. Every case runs on every backend.
 */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Backend } from '../../src/backend/types.js';
import type { ContractEnv } from './env.js';
import { expectRefusedUnchanged } from './expect.js';

const PAGE = 4096;
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

export function gnttabContract(makeEnv: () => ContractEnv): void {
  describe('gnttab contract', () => {
    const env = makeEnv();
    let b: Backend;
    const snap = () => env.snapshot(b);

    beforeEach(async () => {
      b = await env.fresh();
    });
    afterAll(() => env.teardown());

    describe('gntalloc (XEN-FACTS B)', () => {
      it('hands out refs from 8 up and indices that start at 0 and only grow', async () => {
        const a = await b.gnttab.grant(b.domid, 4, false);
        expect(a.refs).toEqual([8, 9, 10, 11]);
        expect(a.index).toBe(0);
        const c = await b.gnttab.grant(b.domid, 1, false);
        expect(c.index).toBe(4 * PAGE);
        await b.gnttab.ungrant(a.index);
        const d = await b.gnttab.grant(b.domid, 1, false);
        expect(d.index).toBe(5 * PAGE);
      });

      it('reuses a freed ref before taking a new one', async () => {
        const a = await b.gnttab.grant(b.domid, 1, false);
        await b.gnttab.grant(b.domid, 1, false);
        await b.gnttab.ungrant(a.index);
        expect((await b.gnttab.grant(b.domid, 1, false)).refs).toEqual(a.refs);
      });

      it('gives zeroed pages', async () => {
        const a = await b.gnttab.grant(b.domid, 2, false);
        expect(Buffer.from(await b.gnttab.read({ ref: a.refs[0] }, 0)).every((x) => x === 0)).toBe(true);
        expect((await b.gnttab.read({ ref: a.refs[0] }, 0)).length).toBe(2 * PAGE);
      });

      it('refuses past the 1024-gref limit with ENOSPC and changes nothing', async () => {
        await b.gnttab.grant(b.domid, 1000, false);
        await b.gnttab.grant(b.domid, 24, false);
        await expectRefusedUnchanged(snap, () => b.gnttab.grant(b.domid, 1, false), 'ENOSPC');
      });

      it('refuses a huge request up front without allocating', async () => {
        await expectRefusedUnchanged(snap, () => b.gnttab.grant(b.domid, 1_000_000_000, false), 'ENOSPC');
      });

      it('refuses to dealloc an unknown run with EINVAL and changes nothing', async () => {
        const a = await b.gnttab.grant(b.domid, 2, false);
        await expectRefusedUnchanged(snap, () => b.gnttab.ungrant(a.index + PAGE), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.gnttab.ungrant(10 * PAGE), 'EINVAL');
        await b.gnttab.ungrant(a.index);
        await expectRefusedUnchanged(snap, () => b.gnttab.ungrant(a.index), 'EINVAL');
      });

      it('defers the free of a gref still mapped; it leaves the device at once and is freed after the unmap', async () => {
        const a = await b.gnttab.grant(b.domid, 2, false);
        const m = await b.gnttab.map(b.domid, [a.refs[1]], false);
        const u = await b.gnttab.ungrant(a.index);
        expect(u).toEqual({ index: a.index, refs: a.refs, deferred: [a.refs[1]] });
        const l = await b.gnttab.list();
        expect(l.granted).toEqual([]);
        expect(l.usage.gntalloc_used).toBe(0); // the grant table's deferred list holds it now
        // the lingering grant is still mapped: its bytes stay readable
        await b.gnttab.write({ index: m.index }, 0, bytes('still here'));
        expect(text(await b.gnttab.read({ index: m.index }, 0, 10))).toBe('still here');
        await b.gnttab.unmap(m.index);
        // the freed refs come back (which one first depends on Linux's deferred-free timer)
        const again = await b.gnttab.grant(b.domid, 1, false);
        expect(a.refs).toContain(again.refs[0]);
      });
    });

    describe('gntdev (XEN-FACTS A)', () => {
      it('places mappings by sorted first fit, skipping a gap of exactly the request size', async () => {
        const g = await b.gnttab.grant(b.domid, 6, false);
        const r = g.refs;
        const m1 = await b.gnttab.map(b.domid, [r[0], r[1]], false);
        expect(m1.index).toBe(0);
        const m2 = await b.gnttab.map(b.domid, [r[2]], false);
        expect(m2.index).toBe(2 * PAGE);
        await b.gnttab.unmap(m1.index);
        const m3 = await b.gnttab.map(b.domid, [r[3], r[4]], false);
        expect(m3.index).toBe(3 * PAGE);
        const m4 = await b.gnttab.map(b.domid, [r[5]], false);
        expect(m4.index).toBe(0);
      });

      it('maps several refs as one contiguous mapping', async () => {
        const g = await b.gnttab.grant(b.domid, 3, false);
        const m = await b.gnttab.map(b.domid, g.refs, false);
        expect(m).toMatchObject({ index: 0, domid: b.domid, refs: g.refs, count: 3, readonly: false });
        await b.gnttab.write({ index: m.index }, PAGE - 2, bytes('abcd'));
        expect(text(await b.gnttab.read({ ref: g.refs[0] }, PAGE - 2, 2))).toBe('ab');
        expect(text(await b.gnttab.read({ ref: g.refs[1] }, 0, 2))).toBe('cd');
      });

      it('shares bytes both ways between a grant and its mapping (self-grant)', async () => {
        const g = await b.gnttab.grant(b.domid, 2, false);
        const m = await b.gnttab.map(b.domid, g.refs, false);
        await b.gnttab.write({ index: m.index }, PAGE + 5, bytes('through the mapping'));
        expect(text(await b.gnttab.read({ ref: g.refs[1] }, 5, 19))).toBe('through the mapping');
        await b.gnttab.write({ ref: g.refs[0] }, 0, bytes('through the grant'));
        expect(text(await b.gnttab.read({ index: m.index }, 0, 17))).toBe('through the grant');
      });

      it('marks grants in use: r for a read-only mapping, rw for a writable one', async () => {
        const g = await b.gnttab.grant(b.domid, 2, false);
        await b.gnttab.map(b.domid, [g.refs[0]], true);
        await b.gnttab.map(b.domid, [g.refs[1]], false);
        const l = await b.gnttab.list();
        expect(l.granted.map((x) => x.in_use)).toEqual(['r', 'rw']);
        expect(l.mapped.map((x) => x.readonly)).toEqual([true, false]);
        expect(l.usage.maptrack_used).toBe(2);
      });

      it('unmap of an index that holds no mapping is ENOENT and changes nothing', async () => {
        const g = await b.gnttab.grant(b.domid, 1, false);
        const m = await b.gnttab.map(b.domid, g.refs, false);
        await expectRefusedUnchanged(snap, () => b.gnttab.unmap(m.index + PAGE), 'ENOENT');
        await expectRefusedUnchanged(snap, () => b.gnttab.unmap(1), 'ENOENT'); // not page 0: an exact index
        await expectRefusedUnchanged(snap, () => b.gnttab.unmap(m.index + 1), 'ENOENT');
        await b.gnttab.unmap(m.index);
        await expectRefusedUnchanged(snap, () => b.gnttab.unmap(m.index), 'ENOENT');
      });

      it('refuses more refs than the per-call limit with EINVAL', async () => {
        const refs = new Array(65537).fill(8);
        const e = await expectRefusedUnchanged(snap, () => b.gnttab.map(b.domid, refs, false), 'EINVAL');
        expect(e.gntst).toBeUndefined();
      });
    });

    describe('map checks of the hypervisor (XEN-FACTS D.6)', () => {
      it('unknown domain: EINVAL with GNTST_bad_domain', async () => {
        const missing = await env.missingDomid();
        await expectRefusedUnchanged(snap, () => b.gnttab.map(missing, [8], false), 'EINVAL', -2);
      });

      it('ref beyond the granter\'s table: EINVAL with GNTST_bad_gntref', async () => {
        await b.gnttab.grant(b.domid, 1, false);
        const list = await b.gnttab.list();
        const beyond = list.usage.nr_frames * 512;
        await expectRefusedUnchanged(snap, () => b.gnttab.map(b.domid, [beyond], false), 'EINVAL', -3);
      });

      it('a ref nobody granted: EINVAL with GNTST_general_error', async () => {
        await b.gnttab.grant(b.domid, 1, false);
        await expectRefusedUnchanged(snap, () => b.gnttab.map(b.domid, [100], false), 'EINVAL', -1);
      });

      it('a ref granted to another domain: EINVAL with GNTST_general_error', async () => {
        const peer = await env.newPeer();
        const g = await b.gnttab.grant(peer.domid, 1, false);
        await expectRefusedUnchanged(snap, () => b.gnttab.map(b.domid, g.refs, false), 'EINVAL', -1);
      });

      it('a writable map of a read-only grant: EINVAL with GNTST_general_error; read-only works', async () => {
        const g = await b.gnttab.grant(b.domid, 1, true);
        await expectRefusedUnchanged(snap, () => b.gnttab.map(b.domid, g.refs, false), 'EINVAL', -1);
        const m = await b.gnttab.map(b.domid, g.refs, true);
        expect(m.readonly).toBe(true);
      });

      it('one bad ref fails the whole mapping and leaves nothing mapped', async () => {
        const g = await b.gnttab.grant(b.domid, 2, false);
        await expectRefusedUnchanged(snap, () => b.gnttab.map(b.domid, [g.refs[0], 200, g.refs[1]], false), 'EINVAL', -1);
        expect((await b.gnttab.map(b.domid, g.refs, false)).index).toBe(0);
      });
    });

    describe('reading and writing', () => {
      it('refuses a range past the end with EINVAL and changes nothing', async () => {
        const g = await b.gnttab.grant(b.domid, 2, false);
        const m = await b.gnttab.map(b.domid, g.refs, false);
        await expectRefusedUnchanged(snap, () => b.gnttab.write({ index: m.index }, 2 * PAGE - 1, bytes('xy')), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.gnttab.read({ ref: g.refs[1] }, PAGE, 1), 'EINVAL');
      });

      it('refuses a write through a read-only mapping with EACCES', async () => {
        const g = await b.gnttab.grant(b.domid, 1, false);
        const m = await b.gnttab.map(b.domid, g.refs, true);
        await expectRefusedUnchanged(snap, () => b.gnttab.write({ index: m.index }, 0, bytes('no')), 'EACCES');
      });

      it('an unknown index or ref is ENOENT', async () => {
        await expectRefusedUnchanged(snap, () => b.gnttab.read({ index: 0 }, 0), 'ENOENT');
        await expectRefusedUnchanged(snap, () => b.gnttab.read({ ref: 8 }, 0), 'ENOENT');
      });
    });

    describe('as the backend of a guest', () => {
      it('maps a guest\'s grant and shares its bytes both ways', async () => {
        const peer = await env.newPeer();
        const refs = await peer.grant(2, { to: b.domid });
        await peer.writePage(refs[1], 100, bytes('from the guest'));
        const m = await b.gnttab.map(peer.domid, refs, false);
        expect(text(await b.gnttab.read({ index: m.index }, PAGE + 100, 14))).toBe('from the guest');
        await b.gnttab.write({ index: m.index }, 2048, bytes('reply'));
        expect(text(await peer.readPage(refs[0], 2048, 5))).toBe('reply');
        await b.gnttab.unmap(m.index);
      });

      it('a guest\'s read-only grant maps read-only only', async () => {
        const peer = await env.newPeer();
        const refs = await peer.grant(1, { to: b.domid, readonly: true });
        await expectRefusedUnchanged(snap, () => b.gnttab.map(peer.domid, refs, false), 'EINVAL', -1);
        await b.gnttab.map(peer.domid, refs, true);
      });
    });
  });
}
