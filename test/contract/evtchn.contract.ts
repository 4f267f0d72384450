/**
 * The event-channel contract (XEN-FACTS C and K): port allocation, binding rules, and delivery
 * as Linux's evtchn device does it. Port numbers are never assumed: the kernel holds some.
 */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Backend } from '../../src/backend/types.js';
import type { ContractEnv } from './env.js';
import { expectRefused, expectRefusedUnchanged } from './expect.js';

export function evtchnContract(makeEnv: () => ContractEnv): void {
  describe('evtchn contract', () => {
    const env = makeEnv();
    let b: Backend;
    const snap = () => env.snapshot(b);
    /** a loopback channel: our unbound port `u` and our interdomain port `l` bound to it */
    async function loopback() {
      const u = (await b.evtchn.bindUnbound(b.domid)).port;
      const l = (await b.evtchn.bindInterdomain(b.domid, u)).port;
      expect(await b.evtchn.wait([l], 0)).toEqual({ ports: [l] }); // Xen marks a new interdomain port pending
      return { u, l };
    }

    beforeEach(async () => {
      b = await env.fresh();
    });
    afterAll(() => env.teardown());

    describe('binding', () => {
      it('an unbound port waits for its remote domain, and lists as ours', async () => {
        const r = await b.evtchn.bindUnbound(7);
        expect(r).toEqual({ port: r.port, state: 'unbound', remote_domid: 7 });
        expect(r.port).toBeGreaterThan(0);
        const p = (await b.evtchn.list()).ports.find((x) => x.port === r.port);
        expect(p).toEqual({
          port: r.port, state: 'unbound', remote_domid: 7, remote_port: null, virq: null,
          pending: false, masked: false, bound_here: true,
        });
      });

      it('ports are the lowest free ones', async () => {
        const ports = [];
        for (let i = 0; i < 3; i++) ports.push((await b.evtchn.bindUnbound(b.domid)).port);
        expect(ports[1]).toBe(ports[0] + 1);
        expect(ports[2]).toBe(ports[0] + 2);
        await b.evtchn.unbind(ports[1]);
        expect((await b.evtchn.bindUnbound(b.domid)).port).toBe(ports[1]);
      });

      it("binds to a guest's unbound port; both ends point at each other", async () => {
        const peer = await env.newPeer();
        const gp = await peer.allocUnbound(b.domid);
        const r = await b.evtchn.bindInterdomain(peer.domid, gp);
        expect(r).toEqual({ port: r.port, state: 'interdomain', remote_domid: peer.domid, remote_port: gp });
        expect(await peer.portStatus(gp)).toEqual({ state: 'interdomain', remote_domid: b.domid, remote_port: r.port });
        expect(await b.evtchn.wait([r.port], 0)).toEqual({ ports: [r.port] });
        await b.evtchn.unbind(r.port);
        expect(await peer.portStatus(gp)).toEqual({ state: 'unbound', remote_domid: b.domid, remote_port: null });
      });

      it('a missing remote domain is ESRCH', async () => {
        const missing = await env.missingDomid();
        await expectRefusedUnchanged(snap, () => b.evtchn.bindInterdomain(missing, 1), 'ESRCH');
      });

      it('a remote port that is not unbound, or meant for another domain, is EINVAL', async () => {
        const peer = await env.newPeer();
        const forOther = await peer.allocUnbound(peer.domid);
        await expectRefusedUnchanged(snap, () => b.evtchn.bindInterdomain(peer.domid, forOther), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.evtchn.bindInterdomain(peer.domid, forOther + 50), 'EINVAL');
        const mine = await peer.allocUnbound(b.domid);
        await b.evtchn.bindInterdomain(peer.domid, mine);
        await expectRefusedUnchanged(snap, () => b.evtchn.bindInterdomain(peer.domid, mine), 'EINVAL');
      });

      it('virqs: past NR_VIRQS is EINVAL, one the kernel holds is EEXIST, DOM_EXC binds once', async () => {
        await expectRefusedUnchanged(snap, () => b.evtchn.bindVirq(99), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.evtchn.bindVirq(24), 'EINVAL');
        await expectRefusedUnchanged(snap, () => b.evtchn.bindVirq(0), 'EEXIST');
        const r = await b.evtchn.bindVirq(3);
        expect(r).toEqual({ port: r.port, state: 'virq', virq: 3 });
        await expectRefusedUnchanged(snap, () => b.evtchn.bindVirq(3), 'EEXIST');
      });
    });

    describe('delivery', () => {
      it('a notify is delivered to the other end once', async () => {
        const { u, l } = await loopback();
        await b.evtchn.notify(l);
        expect(await b.evtchn.wait([], 0)).toEqual({ ports: [u] });
        await expectRefused(b.evtchn.wait([], 0), 'ETIMEDOUT');
      });

      it('sends that arrive while the port is masked merge and come once more after the unmask', async () => {
        const { u, l } = await loopback();
        await b.evtchn.notify(l);
        await b.evtchn.notify(l);
        await b.evtchn.notify(l);
        expect(await b.evtchn.wait([u], 0)).toEqual({ ports: [u] });
        expect(await b.evtchn.wait([u], 0)).toEqual({ ports: [u] });
        await expectRefused(b.evtchn.wait([u], 0), 'ETIMEDOUT');
      });

      it('a delivered port shows pending and masked until it is read', async () => {
        const { u, l } = await loopback();
        await b.evtchn.notify(l);
        const p = (await b.evtchn.list()).ports.find((x) => x.port === u)!;
        expect([p.pending, p.masked]).toEqual([true, true]);
        await b.evtchn.wait([u], 0);
        const q = (await b.evtchn.list()).ports.find((x) => x.port === u)!;
        expect([q.pending, q.masked]).toEqual([false, false]);
      });

      it('closing one end turns the other unbound, waiting for the closer; a send on it is dropped', async () => {
        const { u, l } = await loopback();
        await b.evtchn.unbind(l);
        const p = (await b.evtchn.list()).ports.find((x) => x.port === u)!;
        expect(p).toMatchObject({ state: 'unbound', remote_domid: b.domid, remote_port: null });
        expect(await b.evtchn.notify(u)).toEqual({ port: u });
        await expectRefused(b.evtchn.wait([], 0), 'ETIMEDOUT');
      });

      it('waits with a timeout, and times out with ETIMEDOUT', async () => {
        const { l } = await loopback();
        const t0 = Date.now();
        await expectRefused(b.evtchn.wait([l], 200), 'ETIMEDOUT');
        expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
      });
    });

    describe('ports not ours', () => {
      it('notify and unbind of a port not bound through xgt are ENOTCONN', async () => {
        const { u } = await loopback();
        const foreign = u + 100;
        await expectRefusedUnchanged(snap, () => b.evtchn.notify(foreign), 'ENOTCONN');
        await expectRefusedUnchanged(snap, () => b.evtchn.unbind(foreign), 'ENOTCONN');
        const kernels = (await b.evtchn.list()).ports.filter((p) => !p.bound_here);
        for (const k of kernels.slice(0, 2)) {
          await expectRefusedUnchanged(snap, () => b.evtchn.notify(k.port), 'ENOTCONN');
          await expectRefusedUnchanged(snap, () => b.evtchn.unbind(k.port), 'ENOTCONN');
        }
      });

      it('unbind of a port beyond the event channels is EINVAL', async () => {
        await expectRefusedUnchanged(snap, () => b.evtchn.unbind(200000), 'EINVAL');
      });
    });
  });
}
