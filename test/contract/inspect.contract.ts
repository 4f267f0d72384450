/**
 * Inspecting a host and copying through a grant (docs/CONTRACT.md: inspecting a host, copying):
 * what Xen itself holds for a guest's grants and ports, and GNTTABOP_copy's checks in Xen's
 * order (XEN-FACTS D.8). The guests' grants are made by their own kernels, not by xgt.
 */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Backend } from '../../src/backend/types.js';
import type { ContractEnv } from './env.js';
import { expectRefused, expectRefusedUnchanged } from './expect.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const GNTST = { general_error: -1, bad_domain: -2, bad_gntref: -3, bad_copy_arg: -10 };

export function inspectContract(makeEnv: () => ContractEnv): void {
  describe('inspect contract', () => {
    const env = makeEnv();
    let b: Backend;

    beforeEach(async () => {
      b = await env.fresh();
    });
    afterAll(() => env.teardown());

    describe('domains and grant tables as Xen holds them', () => {
      it('domain list names Domain-0 and each guest with its type, memory and vCPUs, without a toolstack', async () => {
        const hvm = await env.newPeer({ type: 'hvm' });
        const pvh = await env.newPeer({ type: 'pvh' });
        const list = await b.domains.list();
        expect(list.find((d) => d.domid === 0)).toMatchObject({ name: 'Domain-0', type: 'pv' });
        expect(list.find((d) => d.domid === hvm.domid)).toMatchObject({ type: 'hvm', hap: true, memory_kb: 16384, vcpus: 1 });
        expect(list.find((d) => d.domid === pvh.domid)).toMatchObject({ type: 'pvh', memory_kb: 16384, vcpus: 1 });
        expect(list.map((d) => d.domid)).toEqual([...list.map((d) => d.domid)].sort((x, y) => x - y));
      });

      for (const type of ['hvm', 'pvh'] as const) {
        it(`a ${type} guest's grants show from Xen's table: -, then rw or r while mapped, then - again; index null`, async () => {
          const g = await env.newPeer({ type });
          const [rw, ro] = await g.grant(2);
          const entry = (ref: number, in_use: string) => ({ index: null, ref, to: 0, readonly: false, in_use, frame: g.frameOf(ref) });
          let l = await b.gnttab.list(g.domid);
          expect(l.granted).toEqual([entry(rw, '-'), entry(ro, '-')]);
          expect(l.note).toBeNull();

          const m1 = await b.gnttab.map(g.domid, [rw], false);
          const m2 = await b.gnttab.map(g.domid, [ro], true);
          l = await b.gnttab.list(g.domid);
          expect(l.granted).toEqual([entry(rw, 'rw'), entry(ro, 'r')]);
          const mine = await b.gnttab.list();
          expect(mine.mapped).toEqual([
            { index: m1.index, domid: g.domid, refs: [rw], readonly: false },
            { index: m2.index, domid: g.domid, refs: [ro], readonly: true },
          ]);
          expect(mine.usage.maptrack_used).toBe(2);

          await b.gnttab.unmap(m1.index);
          await b.gnttab.unmap(m2.index);
          l = await b.gnttab.list(g.domid);
          expect(l.granted).toEqual([entry(rw, '-'), entry(ro, '-')]);
        });
      }

      it("our own table is not shown by Xen: our grants, in_use only of those we map ourselves, and a note", async () => {
        const g = await env.newPeer();
        const toGuest = await b.gnttab.grant(g.domid, 1, false);
        const toSelf = await b.gnttab.grant(b.domid, 1, false);
        await b.gnttab.map(b.domid, toSelf.refs, true);
        const l = await b.gnttab.list();
        expect(l.granted).toEqual([
          { index: toGuest.index, ref: toGuest.refs[0], to: g.domid, readonly: false, in_use: null, frame: null },
          { index: toSelf.index, ref: toSelf.refs[0], to: b.domid, readonly: false, in_use: 'r', frame: null },
        ]);
        expect(l.note).toMatch(/own grant table/);
      });

      it('top: a row per domain with grants, their use, maps and ports; our own grants unknown', async () => {
        const g = await env.newPeer();
        const refs = await g.grant(3);
        const port = await g.allocUnbound(0);
        const m = await b.gnttab.map(g.domid, [refs[1]], false);
        const rows = await b.domains.usage();
        expect(rows.find((r) => r.domid === g.domid)).toMatchObject({
          type: 'hvm', grant_frames: expect.any(Number), grants: 3, grants_mapped: 1, maps: 0, ports: 1, max_port: port,
        });
        const dom0 = rows.find((r) => r.domid === 0)!;
        expect(dom0).toMatchObject({ grants: null, grants_mapped: null, maps: 1 });
        expect(dom0.ports).toBeGreaterThan(0);
        await b.gnttab.unmap(m.index);
        expect((await b.domains.usage()).find((r) => r.domid === 0)!.maps).toBe(0);
      });
    });

    describe('gnttab copy (XEN-FACTS D.8)', () => {
      it("copies out of and into a guest's grant without mapping it: the guest sees the bytes", async () => {
        const g = await env.newPeer();
        const [ref] = await g.grant(1);
        await g.writePage(ref, 100, bytes('from the guest'));
        expect(text(await b.gnttab.copyFrom(g.domid, ref, 100, 14))).toBe('from the guest');
        expect(await b.gnttab.copyTo(g.domid, ref, 2048, bytes('reply'))).toBe(5);
        expect(text(await g.readPage(ref, 2048, 5))).toBe('reply');
        expect((await b.gnttab.copyFrom(g.domid, ref, 4090)).length).toBe(6); // to the end of the page
        expect((await b.gnttab.copyFrom(g.domid, ref, 0, 0)).length).toBe(0);
        const l = await b.gnttab.list(g.domid);
        expect(l.granted[0].in_use).toBe('-');
        expect((await b.gnttab.list()).usage.maptrack_used).toBe(0);
      });

      it("refuses in Xen's order, as EINVAL with the segment's GNTST code, and changes nothing", async () => {
        const g = await env.newPeer();
        const other = await env.newPeer();
        const [ref] = await g.grant(1);
        const [ro] = await g.grant(1, { readonly: true });
        const [elsewhere] = await g.grant(1, { to: other.domid });
        const snap = () => env.snapshot(b, [g]);
        const missing = await env.missingDomid();
        await expectRefusedUnchanged(snap, () => b.gnttab.copyFrom(missing, ref, 0, 8), 'EINVAL', GNTST.bad_domain);
        // the ref is checked before the length: a bad ref that also crosses the page is bad_gntref
        await expectRefusedUnchanged(snap, () => b.gnttab.copyFrom(g.domid, 1 << 20, 4000, 200), 'EINVAL', GNTST.bad_gntref);
        await expectRefusedUnchanged(snap, () => b.gnttab.copyFrom(g.domid, ref + 100, 0, 8), 'EINVAL', GNTST.general_error);
        await expectRefusedUnchanged(snap, () => b.gnttab.copyFrom(g.domid, elsewhere, 0, 8), 'EINVAL', GNTST.general_error);
        await expectRefusedUnchanged(snap, () => b.gnttab.copyTo(g.domid, ro, 0, bytes('no')), 'EINVAL', GNTST.general_error);
        expect((await b.gnttab.copyFrom(g.domid, ro, 0, 4)).length).toBe(4);
        await expectRefusedUnchanged(snap, () => b.gnttab.copyFrom(g.domid, ref, 4000, 200), 'EINVAL', GNTST.bad_copy_arg);
        await expectRefusedUnchanged(snap, () => b.gnttab.copyTo(g.domid, ref, 4090, bytes('0123456789')), 'EINVAL', GNTST.bad_copy_arg);
        // a read-only grant as the destination is refused before the length is looked at
        await expectRefused(b.gnttab.copyTo(g.domid, ro, 4090, bytes('0123456789')), 'EINVAL', GNTST.general_error);
      });
    });
  });
}
