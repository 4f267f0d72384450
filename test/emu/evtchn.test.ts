import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EmuBackend } from '../../src/emu/backend.js';
import { exportHost } from '../../src/emu/admin.js';
import { expectRefused, expectRefusedUnchanged } from '../contract/expect.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());
let n = 0;
let dom0: EmuBackend;
const opened: EmuBackend[] = [];
const as = (domid: number) => { const b = EmuBackend.open(dom0.st.path, domid); opened.push(b); return b; };
const snap = async () => dom0.st.read(() => exportHost(dom0.st));
const guest = async (o: { max_evtchn_port?: number } = {}) => (await dom0.domains.create({
  name: `g${n++}`, type: 'hvm', hap: true, memory_kb: 65536, vcpus: 1, max_grant_frames: 64, max_evtchn_port: o.max_evtchn_port ?? 1023,
})).domid;

beforeEach(() => {
  while (opened.length) opened.pop()!.close();
  dom0 = EmuBackend.open(tmp.file(`h${n++}.db`), 0);
  opened.push(dom0);
});

describe('event channels of the emulated host', () => {
  it("Domain-0's kernel holds ports 1-17, so user space starts at 18 (as on the real dom0)", async () => {
    expect((await dom0.evtchn.bindUnbound(0)).port).toBe(18);
    const kernel = (await dom0.evtchn.list()).ports.filter((p) => !p.bound_here);
    expect(kernel.map((p) => p.port)).toEqual([...Array(17).keys()].map((i) => i + 1));
  });

  it("a guest's ports start at 1 and stop at its max_evtchn_port (ENOSPC)", async () => {
    const g = as(await guest({ max_evtchn_port: 3 }));
    expect((await g.evtchn.bindUnbound(0)).port).toBe(1);
    await g.evtchn.bindUnbound(0);
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
    await expectRefusedUnchanged(snap, () => dom0.evtchn.notify(p), 'ENOTCONN');
    await expectRefusedUnchanged(snap, () => dom0.evtchn.unbind(p), 'ENOTCONN');
  });

  it("a domain's destruction closes its ports: peers turn unbound, and dom0 hears VIRQ_DOM_EXC", async () => {
    const gid = await guest();
    const g = as(gid);
    const exc = (await dom0.evtchn.bindVirq(3)).port;
    const gp = (await g.evtchn.bindUnbound(0)).port;
    const mine = (await dom0.evtchn.bindInterdomain(gid, gp)).port;
    await dom0.evtchn.wait([mine], 0);
    await dom0.domains.destroy(gid);
    expect((await dom0.evtchn.list()).ports.find((p) => p.port === mine))
      .toMatchObject({ state: 'unbound', remote_domid: gid });
    expect(await dom0.evtchn.wait([], 0)).toEqual({ ports: [exc] });
  });

  it('notify and wait between the two ends of a guest channel', async () => {
    const gid = await guest();
    const g = as(gid);
    const gp = (await g.evtchn.bindUnbound(0)).port;
    const mine = (await dom0.evtchn.bindInterdomain(gid, gp)).port;
    await dom0.evtchn.wait([mine], 0);
    await dom0.evtchn.notify(mine);
    expect(await g.evtchn.wait([], 0)).toEqual({ ports: [gp] });
    await g.evtchn.notify(gp);
    expect(await dom0.evtchn.wait([], 0)).toEqual({ ports: [mine] });
    await expectRefused(g.evtchn.wait([], 0), 'ETIMEDOUT');
  });

  it('a waiter wakes when another process notifies', async () => {
    const gid = await guest();
    const g = as(gid);
    const gp = (await g.evtchn.bindUnbound(0)).port;
    const mine = (await dom0.evtchn.bindInterdomain(gid, gp)).port;
    await dom0.evtchn.wait([mine], 0);
    const waiting = g.evtchn.wait([gp], 5000);
    setTimeout(() => { void as(0).evtchn.notify(mine); }, 100);
    const t0 = Date.now();
    expect(await waiting).toEqual({ ports: [gp] });
    expect(Date.now() - t0).toBeLessThan(4000);
  });
});
