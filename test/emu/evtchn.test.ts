import { describe, expect, it } from '@jest/globals';
import { expectRefused, expectRefusedUnchanged } from '../contract/expect.js';
import { freshHostPerTest } from '../helpers/emu-host.js';


const host = freshHostPerTest();
const { as, snap } = host;
const guest = (o: { max_evtchn_port?: number; vcpus?: number } = {}) => host.create({ memory_kb: 65536, ...o });

describe('event channels of the emulated host', () => {
  it("Domain-0's kernel holds ports 1-17, so user space starts at 18 (as on the real host.dom0)", async () => {
    expect((await host.dom0.evtchn.bindUnbound(0)).port).toBe(18);
    const kernel = (await host.dom0.evtchn.list()).ports.filter((p) => !p.bound_here);
    expect(kernel.map((p) => p.port)).toEqual([...Array(17).keys()].map((i) => i + 1));
  });

  it("a guest's kernel holds VIRQ_TIMER on each vCPU from port 1; user ports follow, up to max_evtchn_port (ENOSPC)", async () => {
    const g = as(await guest({ max_evtchn_port: 4, vcpus: 2 }));
    expect((await g.evtchn.list()).ports.map((p) => [p.port, p.state, p.virq, p.bound_here])).toEqual([
      [1, 'virq', 0, false], [2, 'virq', 0, false]]);
    await expectRefusedUnchanged(snap, () => g.evtchn.bindVirq(0), 'EEXIST');
    expect((await g.evtchn.bindUnbound(0)).port).toBe(3);
    await g.evtchn.bindUnbound(0);
    await expectRefusedUnchanged(snap, () => g.evtchn.bindUnbound(0), 'ENOSPC');
  });

  it('a guest binding a global virq gets EBUSY; per-vCPU ones it may bind', async () => {
    const g = as(await guest());
    await expectRefusedUnchanged(snap, () => g.evtchn.bindVirq(3), 'EBUSY');
    expect((await g.evtchn.bindVirq(1)).state).toBe('virq');
  });

  it('a port of another domain is not ours to notify or unbind (ENOTCONN)', async () => {
    const gid = await guest();
    const g = as(gid);
    const p = (await g.evtchn.bindUnbound(0)).port;
    await expectRefusedUnchanged(snap, () => host.dom0.evtchn.notify(p), 'ENOTCONN');
    await expectRefusedUnchanged(snap, () => host.dom0.evtchn.unbind(p), 'ENOTCONN');
  });

  it("a domain's destruction closes its ports: peers turn unbound, and host.dom0 hears VIRQ_DOM_EXC", async () => {
    const gid = await guest();
    const g = as(gid);
    const exc = (await host.dom0.evtchn.bindVirq(3)).port;
    const gp = (await g.evtchn.bindUnbound(0)).port;
    const mine = (await host.dom0.evtchn.bindInterdomain(gid, gp)).port;
    await host.dom0.evtchn.wait([mine], 0);
    await host.dom0.domains.destroy(gid);
    expect((await host.dom0.evtchn.list()).ports.find((p) => p.port === mine))
      .toMatchObject({ state: 'unbound', remote_domid: gid });
    expect(await host.dom0.evtchn.wait([], 0)).toEqual({ ports: [exc] });
  });

  it('notify and wait between the two ends of a guest channel', async () => {
    const gid = await guest();
    const g = as(gid);
    const gp = (await g.evtchn.bindUnbound(0)).port;
    const mine = (await host.dom0.evtchn.bindInterdomain(gid, gp)).port;
    await host.dom0.evtchn.wait([mine], 0);
    await host.dom0.evtchn.notify(mine);
    expect(await g.evtchn.wait([], 0)).toEqual({ ports: [gp] });
    await g.evtchn.notify(gp);
    expect(await host.dom0.evtchn.wait([], 0)).toEqual({ ports: [mine] });
    await expectRefused(g.evtchn.wait([], 0), 'ETIMEDOUT');
  });

  it('a waiter wakes when another process notifies', async () => {
    const gid = await guest();
    const g = as(gid);
    const gp = (await g.evtchn.bindUnbound(0)).port;
    const mine = (await host.dom0.evtchn.bindInterdomain(gid, gp)).port;
    await host.dom0.evtchn.wait([mine], 0);
    const waiting = g.evtchn.wait([gp], 5000);
    setTimeout(() => { void as(0).evtchn.notify(mine); }, 100);
    const t0 = Date.now();
    expect(await waiting).toEqual({ ports: [gp] });
    expect(Date.now() - t0).toBeLessThan(4000);
  });
});
