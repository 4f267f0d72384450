/**
 * The device-model contract (XEN-FACTS F, the seed patch 004): ioreq servers, the
 * p2m_ioreq_server claim and set_mem_type, against a guest the environment created (16 MiB:
 * gfns 0 to 0xfff).
 */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Backend } from '../../src/backend/types.js';
import type { ContractEnv, Peer } from './env.js';
import { expectRefusedUnchanged } from './expect.js';

const RAM_RW = 0;
const RAM_RO = 1;
const MMIO_DM = 2;
const IOREQ = 4;
const WRITE = 2;

export function dmopContract(makeEnv: () => ContractEnv): void {
  describe('dmop contract', () => {
    const env = makeEnv();
    let b: Backend;
    let g: Peer;
    const snap = () => env.snapshot(b);

    beforeEach(async () => {
      b = await env.fresh();
      g = await env.newPeer();
    });
    afterAll(() => env.teardown());

    describe('generic checks', () => {
      it('a missing domain is ESRCH, oneself EPERM, a PV domain EINVAL', async () => {
        const missing = await env.missingDomid();
        await expectRefusedUnchanged(snap, () => b.dmop.createIoreqServer(missing, 'off'), 'ESRCH');
        await expectRefusedUnchanged(snap, () => b.dmop.createIoreqServer(b.domid, 'off'), 'EPERM');
        const pv = await env.newPeer({ type: 'pv' });
        await expectRefusedUnchanged(snap, () => b.dmop.createIoreqServer(pv.domid, 'off'), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.dmop.setMemType(pv.domid, RAM_RO, 0, 1), 'EINVAL');
      });
    });

    describe('ioreq servers', () => {
      it('ids 0-7, lowest free first; a ninth is ENOSPC', async () => {
        const ids = [];
        for (let i = 0; i < 8; i++) ids.push((await b.dmop.createIoreqServer(g.domid, 'off')).id);
        expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        await expectRefusedUnchanged(snap, () => b.dmop.createIoreqServer(g.domid, 'atomic'), 'ENOSPC');
        expect(await b.dmop.destroyIoreqServer(g.domid, 3)).toEqual({ domid: g.domid, id: 3 });
        expect(await b.dmop.createIoreqServer(g.domid, 'legacy')).toEqual({ domid: g.domid, id: 3 });
      });

      it('an unknown server is ENOENT', async () => {
        await b.dmop.createIoreqServer(g.domid, 'off');
        await expectRefusedUnchanged(snap, () => b.dmop.destroyIoreqServer(g.domid, 1), 'ENOENT');
        await expectRefusedUnchanged(snap, () => b.dmop.destroyIoreqServer(g.domid, 8), 'ENOENT');
        await expectRefusedUnchanged(snap, () => b.dmop.mapMemType(g.domid, 5, IOREQ, WRITE), 'ENOENT');
      });
    });

    describe('claiming the ioreq_server type', () => {
      it('one server claims; any second claim is EBUSY; the owner disclaims', async () => {
        const s0 = (await b.dmop.createIoreqServer(g.domid, 'off')).id;
        const s1 = (await b.dmop.createIoreqServer(g.domid, 'off')).id;
        expect(await b.dmop.mapMemType(g.domid, s0, IOREQ, WRITE)).toEqual({ domid: g.domid, id: s0, type: 'ioreq_server', flags: 2 });
        await expectRefusedUnchanged(snap, () => b.dmop.mapMemType(g.domid, s0, IOREQ, WRITE), 'EBUSY');
        await expectRefusedUnchanged(snap, () => b.dmop.mapMemType(g.domid, s1, IOREQ, WRITE), 'EBUSY');
        await expectRefusedUnchanged(snap, () => b.dmop.mapMemType(g.domid, s1, IOREQ, 0), 'EINVAL');
        expect((await b.dmop.list(g.domid)).claim).toEqual({ id: s0, flags: 2 });
        await b.dmop.mapMemType(g.domid, s0, IOREQ, 0);
        expect((await b.dmop.list(g.domid)).claim).toBeNull();
        await expectRefusedUnchanged(snap, () => b.dmop.mapMemType(g.domid, s0, IOREQ, 0), 'EINVAL');
      });

      it('only the ioreq_server type and flags 2 or 0 are accepted (READ is EINVAL)', async () => {
        const s = (await b.dmop.createIoreqServer(g.domid, 'off')).id;
        await expectRefusedUnchanged(snap, () => b.dmop.mapMemType(g.domid, s, IOREQ, 1), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.dmop.mapMemType(g.domid, s, IOREQ, 3), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.dmop.mapMemType(g.domid, s, RAM_RW, WRITE), 'EINVAL');
      });
    });

    describe('set-mem-type', () => {
      it('to ioreq_server only while a claim is held, and only from ram_rw', async () => {
        const s = (await b.dmop.createIoreqServer(g.domid, 'off')).id;
        await expectRefusedUnchanged(snap, () => b.dmop.setMemType(g.domid, IOREQ, 0x10, 4), 'EINVAL');
        await b.dmop.mapMemType(g.domid, s, IOREQ, WRITE);
        expect(await b.dmop.setMemType(g.domid, IOREQ, 0x10, 4)).toEqual({ domid: g.domid, type: 'ioreq_server', first_pfn: 0x10, count: 4 });
        expect((await b.dmop.list(g.domid)).ioreq_server_pages).toBe(4);
        await b.dmop.setMemType(g.domid, RAM_RO, 0x20, 2);
        await expectRefusedUnchanged(snap, () => b.dmop.setMemType(g.domid, IOREQ, 0x20, 2), 'EINVAL');
      });

      it('from ioreq_server only back to ram_rw', async () => {
        const s = (await b.dmop.createIoreqServer(g.domid, 'off')).id;
        await b.dmop.mapMemType(g.domid, s, IOREQ, WRITE);
        await b.dmop.setMemType(g.domid, IOREQ, 0x10, 4);
        await expectRefusedUnchanged(snap, () => b.dmop.setMemType(g.domid, RAM_RO, 0x10, 4), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.dmop.setMemType(g.domid, MMIO_DM, 0x10, 1), 'EINVAL');
        await b.dmop.setMemType(g.domid, RAM_RW, 0x10, 2);
        expect((await b.dmop.list(g.domid)).ioreq_server_pages).toBe(2);
      });

      it('a disclaim turns ioreq_server pages back into ram_rw', async () => {
        const s = (await b.dmop.createIoreqServer(g.domid, 'off')).id;
        await b.dmop.mapMemType(g.domid, s, IOREQ, WRITE);
        await b.dmop.setMemType(g.domid, IOREQ, 0x40, 8);
        await b.dmop.mapMemType(g.domid, s, IOREQ, 0);
        expect((await b.dmop.list(g.domid)).ioreq_server_pages).toBe(0);
        await b.dmop.setMemType(g.domid, RAM_RO, 0x40, 8); // they are ram_rw again
      });

      it('destroying the claiming server drops the claim but leaves its pages: a new claim is EBUSY until they are reset', async () => {
        const s = (await b.dmop.createIoreqServer(g.domid, 'off')).id;
        await b.dmop.mapMemType(g.domid, s, IOREQ, WRITE);
        await b.dmop.setMemType(g.domid, IOREQ, 0x40, 8);
        await b.dmop.destroyIoreqServer(g.domid, s);
        expect(await b.dmop.list(g.domid)).toEqual({ servers: [], claim: null, ioreq_server_pages: 8 });
        const t = (await b.dmop.createIoreqServer(g.domid, 'off')).id;
        await expectRefusedUnchanged(snap, () => b.dmop.mapMemType(g.domid, t, IOREQ, WRITE), 'EBUSY');
        await b.dmop.setMemType(g.domid, RAM_RW, 0x40, 8); // back to ram_rw needs no claim
        expect((await b.dmop.list(g.domid)).ioreq_server_pages).toBe(0);
        await b.dmop.mapMemType(g.domid, t, IOREQ, WRITE);
      });

      it('nr 0, a range beyond the domain, or an unsettable type is EINVAL', async () => {
        await expectRefusedUnchanged(snap, () => b.dmop.setMemType(g.domid, RAM_RO, 0, 0), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.dmop.setMemType(g.domid, RAM_RO, 0xfff, 2), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.dmop.setMemType(g.domid, RAM_RO, 0x100000, 1), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.dmop.setMemType(g.domid, 3, 0, 1), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.dmop.setMemType(g.domid, 5, 0, 1), 'EINVAL');
        expect((await b.dmop.setMemType(g.domid, RAM_RO, 0xfff, 1)).count).toBe(1);
      });
    });
  });
}

