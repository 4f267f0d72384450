import { describe, expect, it } from '@jest/globals';
import { expectRefused, expectRefusedUnchanged } from '../contract/expect.js';
import { freshHostPerTest } from '../helpers/emu-host.js';
import type { DomainCreateOptions } from '../../src/backend/types.js';

const host = freshHostPerTest();
const { as, snap } = host;
let n = 0;
const opts = (o: Partial<DomainCreateOptions> = {}): DomainCreateOptions => ({
  name: `d${n++}`, type: 'hvm', hap: true, memory_kb: 65536, vcpus: 1, max_grant_frames: 64, max_evtchn_port: 1023, ...o,
});

describe('domains of the emulated host', () => {
  it('hands out increasing domids and does not reuse one at once', async () => {
    const a = await host.dom0.domains.create(opts());
    const b = await host.dom0.domains.create(opts());
    expect([a.domid, b.domid]).toEqual([1, 2]);
    await host.dom0.domains.destroy(a.domid);
    expect((await host.dom0.domains.create(opts())).domid).toBe(3);
  });

  it('a PV domain never has HAP', async () => {
    expect((await host.dom0.domains.create(opts({ type: 'pv' }))).hap).toBe(false);
  });

  it('refuses a name in use (EEXIST), too much memory (ENOMEM), and changes nothing', async () => {
    await host.dom0.domains.create(opts({ name: 'twice' }));
    await expectRefusedUnchanged(snap, () => host.dom0.domains.create(opts({ name: 'twice' })), 'EEXIST');
    await expectRefusedUnchanged(snap, () => host.dom0.domains.create(opts({ memory_kb: 64 * 1024 * 1024 })), 'ENOMEM');
  });

  it('refuses to destroy Domain-0 (EPERM) or an unknown domain (ESRCH)', async () => {
    await expectRefusedUnchanged(snap, () => host.dom0.domains.destroy(0), 'EPERM');
    await expectRefusedUnchanged(snap, () => host.dom0.domains.destroy(42), 'ESRCH');
  });

  it('a destroyed domain whose grants are mapped stays dying until they are unmapped', async () => {
    const d = await host.dom0.domains.create(opts());
    const g = await as(d.domid).gnttab.grant(0, 1, false);
    const m = await host.dom0.gnttab.map(d.domid, g.refs, false);
    expect(await host.dom0.domains.destroy(d.domid)).toEqual({ domid: d.domid, state: 'dying' });
    expect((await host.dom0.domains.list()).find((x) => x.domid === d.domid)?.state).toBe('dying');
    // new maps of a dying domain's grants are refused; the existing one still works
    await expectRefused(host.dom0.gnttab.map(d.domid, g.refs, false), 'EINVAL', -2);
    await host.dom0.gnttab.write({ index: m.index }, 0, Buffer.from('x'));
    await host.dom0.gnttab.unmap(m.index);
    expect((await host.dom0.domains.list()).map((x) => x.domid)).toEqual([0]);
  });

  it("destroying a domain unmaps what it mapped and frees the other side's deferred grants", async () => {
    const d = await host.dom0.domains.create(opts());
    const g = await host.dom0.gnttab.grant(d.domid, 1, false);
    await as(d.domid).gnttab.map(0, g.refs, false);
    expect((await host.dom0.gnttab.ungrant(g.index)).deferred).toEqual(g.refs);
    await host.dom0.domains.destroy(d.domid);
    expect((await host.dom0.gnttab.list()).usage.gntalloc_used).toBe(0);
    expect(host.dom0.st.get('SELECT 1 FROM grants WHERE domid = 0')).toBeUndefined(); // the deferred grant is gone too
    expect((await host.dom0.gnttab.grant(d.domid, 1, false)).refs).toEqual(g.refs);
  });

  it('memory of a destroyed domain returns to the host', async () => {
    const before = await snap();
    const d = await host.dom0.domains.create(opts({ memory_kb: 1024 * 1024 }));
    await host.dom0.domains.destroy(d.domid);
    const after = await snap();
    expect(after.tables.free_mfns).toEqual(before.tables.free_mfns);
  });
});

describe('grant-table limits of the emulated host', () => {
  it('a full grant table (max_grant_frames) is ENOSPC; the gntalloc index still advances, as in Linux', async () => {
    const d = await host.dom0.domains.create(opts({ max_grant_frames: 1 }));
    const guest = as(d.domid);
    const g = await guest.gnttab.grant(0, 504, false); // refs 8..511 fill the single frame
    expect(g.refs[503]).toBe(511);
    const before = await guest.gnttab.list();
    await expectRefused(guest.gnttab.grant(0, 1, false), 'ENOSPC');
    const after = await guest.gnttab.list();
    expect(after).toEqual(before);
    await guest.gnttab.ungrant(g.index);
    expect((await guest.gnttab.grant(0, 1, false)).index).toBe(505 * 4096);
  });

  it('the table grows a frame at a time', async () => {
    await host.dom0.gnttab.grant(0, 504, false);
    expect((await host.dom0.gnttab.list()).usage.nr_frames).toBe(1);
    await host.dom0.gnttab.grant(0, 1, false);
    expect((await host.dom0.gnttab.list()).usage.nr_frames).toBe(2);
  });

  it('a pin counter stops at 128: the 129th mapping of one ref is GNTST_general_error', async () => {
    const g = await host.dom0.gnttab.grant(0, 1, false);
    const maps = [];
    for (let i = 0; i < 128; i++) maps.push(await host.dom0.gnttab.map(0, g.refs, true));
    await expectRefusedUnchanged(snap, () => host.dom0.gnttab.map(0, g.refs, true), 'EINVAL', -1);
    // Xen tests the top bit of every counter at once, so a writable pin is refused too
    await expectRefusedUnchanged(snap, () => host.dom0.gnttab.map(0, g.refs, false), 'EINVAL', -1);
    await host.dom0.gnttab.unmap(maps[0].index);
    await host.dom0.gnttab.map(0, g.refs, false);
  });
});
