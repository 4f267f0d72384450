import { describe, expect, it } from '@jest/globals';
import { expectRefused, expectRefusedUnchanged } from '../contract/expect.js';
import { freshHostPerTest } from '../helpers/emu-host.js';


const host = freshHostPerTest();
const { as, snap } = host;
const create = host.create;

describe('dmop on the emulator', () => {
  it('without HAP, claiming or setting the ioreq_server type is EOPNOTSUPP', async () => {
    const g = await create({ hap: false });
    const s = (await host.dom0.dmop.createIoreqServer(g, 'off')).id;
    await expectRefusedUnchanged(snap, () => host.dom0.dmop.mapMemType(g, s, 4, 2), 'EOPNOTSUPP');
    await expectRefusedUnchanged(snap, () => host.dom0.dmop.setMemType(g, 4, 0, 1), 'EOPNOTSUPP');
  });

  it("a guest is no device model of another (XSM: EPERM); a stub domain is, but not of another's server", async () => {
    const g = await create();
    const other = await create();
    await expectRefusedUnchanged(snap, () => as(other).dmop.createIoreqServer(g, 'off'), 'EPERM');
    const stub = await create({ type: 'pvh', dm_target: g });
    const s = (await as(stub).dmop.createIoreqServer(g, 'off')).id;
    expect((await host.dom0.dmop.list(g)).servers).toEqual([{ id: s, owner: stub, bufioreq: 'off' }]);
    await expectRefusedUnchanged(snap, () => host.dom0.dmop.destroyIoreqServer(g, s), 'EPERM');
    await expectRefusedUnchanged(snap, () => host.dom0.dmop.mapMemType(g, s, 4, 2), 'EPERM');
    await as(stub).dmop.mapMemType(g, s, 4, 2);
    // set_mem_type only asks that someone holds the claim
    await host.dom0.dmop.setMemType(g, 4, 0, 1);
  });

  it('a range whose later pages refuse keeps the change of the pages before (as Xen does)', async () => {
    const g = await create();
    await host.dom0.dmop.setMemType(g, 2, 0x14, 1); // ram_rw -> mmio_dm at 0x14
    await expectRefused(host.dom0.dmop.setMemType(g, 1, 0x10, 8), 'EINVAL'); // 0x10-0x13 become ram_ro, 0x14 refuses
    await expectRefusedUnchanged(snap, () => host.dom0.dmop.setMemType(g, 0, 0x14, 1), 'EINVAL');
    // only ram_rw pages may become ioreq_server: 0x10-0x13 are ram_ro now, 0x15 was never touched
    const s = (await host.dom0.dmop.createIoreqServer(g, 'off')).id;
    await host.dom0.dmop.mapMemType(g, s, 4, 2);
    await expectRefusedUnchanged(snap, () => host.dom0.dmop.setMemType(g, 4, 0x13, 1), 'EINVAL');
    await host.dom0.dmop.setMemType(g, 4, 0x15, 1);
  });

  it("a destroyed guest's servers and claim go with it", async () => {
    const g = await create();
    const s = (await host.dom0.dmop.createIoreqServer(g, 'off')).id;
    await host.dom0.dmop.mapMemType(g, s, 4, 2);
    await host.dom0.domains.destroy(g);
    await expectRefused(host.dom0.dmop.list(g), 'ESRCH');
  });
});

describe('get-dma-buf / put-dma-buf on the emulator', () => {
  it('exchanges for aligned, contiguous frames below 2^bits, pins them, and keeps the data', async () => {
    const g = await create();
    const guest = as(g);
    const gr = await guest.gnttab.grant(0, 1, false); // a page with data, high in the guest's memory
    await guest.gnttab.write({ ref: gr.refs[0] }, 0, Buffer.from('keep me'));
    const r = await host.dom0.mem.getDmaBuf(g, 2, 3, 32, 0);
    expect(r.nr_exchanged).toBe(2);
    expect(r.extents.map((e) => [e.gpfn, e.order])).toEqual([[0, 3], [8, 3]]);
    for (const e of r.extents) {
      expect(e.mfn % 8).toBe(0);
      expect(e.mfn + 8).toBeLessThanOrEqual(2 ** 20);
    }
    expect((await host.dom0.mem.list(g)).extents).toEqual(r.extents);
    expect(Buffer.from(await guest.gnttab.read({ ref: gr.refs[0] }, 0, 7)).toString()).toBe('keep me');
  });

  it('moves the data of exchanged pages to the new frames', async () => {
    const g = await create({ memory_kb: 64 });  // 16 pages: gntalloc takes gfn 15, then 14
    const guest = as(g);
    const gr = await guest.gnttab.grant(0, 1, false);
    await guest.gnttab.write({ ref: gr.refs[0] }, 100, Buffer.from('moved'));
    const mapped = await host.dom0.gnttab.map(g, gr.refs, true);
    await expectRefusedUnchanged(snap, () => host.dom0.mem.getDmaBuf(g, 1, 0, 32, 15), 'EBUSY');
    await host.dom0.gnttab.unmap(mapped.index);
    const r = await host.dom0.mem.getDmaBuf(g, 1, 0, 32, 15);
    expect(r.extents[0].gpfn).toBe(15);
    expect(Buffer.from(await guest.gnttab.read({ ref: gr.refs[0] }, 100, 5)).toString()).toBe('moved');
  });

  it('EPERM beyond the max order (12 for host.dom0, 9 for a guest), and changes nothing', async () => {
    const g = await create();
    await expectRefusedUnchanged(snap, () => host.dom0.mem.getDmaBuf(g, 1, 13, 32), 'EPERM');
    await expectRefusedUnchanged(snap, () => as(g).mem.getDmaBuf(g, 1, 10, 32), 'EPERM');
    await as(g).mem.getDmaBuf(g, 1, 9, 32);
  });

  it('EINVAL for a misaligned or out-of-range gpfn; ESRCH for no domain; EPERM for another guest', async () => {
    const g = await create();
    const h = await create();
    await expectRefusedUnchanged(snap, () => host.dom0.mem.getDmaBuf(g, 1, 2, 32, 2), 'EINVAL');
    await expectRefusedUnchanged(snap, () => host.dom0.mem.getDmaBuf(g, 4, 0, 32, 0xffe), 'EINVAL');
    await expectRefusedUnchanged(snap, () => host.dom0.mem.getDmaBuf(999, 1, 0, 32), 'ESRCH');
    await expectRefusedUnchanged(snap, () => as(h).mem.getDmaBuf(g, 1, 0, 32), 'EPERM');
  });

  it('runs out part way: ENOMEM carrying nr_exchanged; the first extents stay exchanged, the rest untouched', async () => {
    const g = await create();
    // below 2^21 (frame 512) only frames 0x100-0x1ff are free: 256 single pages
    const e = await expectRefused(host.dom0.mem.getDmaBuf(g, 300, 0, 21, 0), 'ENOMEM');
    expect(e.toJSON().nr_exchanged).toBe(256);
    expect((await host.dom0.mem.list(g)).extents).toHaveLength(256);
    await expectRefusedUnchanged(snap, () => host.dom0.mem.getDmaBuf(g, 1, 0, 21, 512), 'ENOMEM');
  });

  it('pinned extents cannot be exchanged again; put-dma-buf unpins them, and checks what it unpins', async () => {
    const g = await create();
    await host.dom0.mem.getDmaBuf(g, 2, 1, 32, 0);
    await expectRefusedUnchanged(snap, () => host.dom0.mem.getDmaBuf(g, 1, 1, 32, 2), 'EBUSY');
    await expectRefusedUnchanged(snap, () => host.dom0.mem.putDmaBuf(g, 0, 2, 0), 'EINVAL');
    await expectRefusedUnchanged(snap, () => host.dom0.mem.putDmaBuf(g, 0, 3, 1), 'EINVAL');
    expect(await host.dom0.mem.putDmaBuf(g, 0, 2, 1)).toEqual({ unpinned: 2 });
    expect((await host.dom0.mem.list(g)).extents).toEqual([]);
    expect((await host.dom0.mem.getDmaBuf(g, 1, 1, 32)).extents[0].gpfn).toBe(0);
  });

  it('asking for more pages than the domain owns is EINVAL (pages it does not own), not EBUSY', async () => {
    const g = await create({ memory_kb: 64 }); // 16 pages
    const e = await expectRefusedUnchanged(snap, () => host.dom0.mem.getDmaBuf(g, 17, 0, 32), 'EINVAL');
    expect(e.message).toMatch(/17 pages asked, domain \d+ has 16/);
    await expectRefusedUnchanged(snap, () => host.dom0.mem.getDmaBuf(g, 3, 3, 32), 'EINVAL'); // 24 pages
    // enough pages owned but all of the run in use stays EBUSY
    await host.dom0.mem.getDmaBuf(g, 1, 3, 32, 8);
    await expectRefusedUnchanged(snap, () => host.dom0.mem.getDmaBuf(g, 2, 3, 32), 'EBUSY');
  });
});
