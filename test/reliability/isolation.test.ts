/**
 * Isolation on the emulator: whatever the arguments, a domain never reads or writes a page it
 * was not granted, nor acts on another domain's ports, ioreq servers or memory.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmuBackend } from '../../src/emu/backend.js';
import { exportHost } from '../../src/emu/admin.js';
import { expectRefusedUnchanged } from '../contract/expect.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir('xgt-iso-');
let dom0: EmuBackend;
let a: EmuBackend; // the domain dom0 shares with
let b: EmuBackend; // an outsider
let stub: EmuBackend; // the device model of a
let secretRef: number;
let aPort: number;
const snap = async () => dom0.st.read(() => exportHost(dom0.st));
const create = async (name: string, dm?: number) => (await dom0.domains.create({
  name, type: 'hvm', hap: true, memory_kb: 16384, vcpus: 1, max_grant_frames: 64, max_evtchn_port: 1023, dm_target: dm,
})).domid;

beforeAll(async () => {
  dom0 = EmuBackend.open(tmp.file('iso.db'), 0);
  const ida = await create('a');
  a = EmuBackend.open(dom0.st.path, ida);
  b = EmuBackend.open(dom0.st.path, await create('b'));
  stub = EmuBackend.open(dom0.st.path, await create('stub-a', ida));
  const g = await dom0.gnttab.grant(a.domid, 1, false);
  secretRef = g.refs[0];
  await dom0.gnttab.write({ ref: secretRef }, 0, Buffer.from('for a only'));
  await a.gnttab.map(0, g.refs, false);
  aPort = (await a.evtchn.bindUnbound(0)).port;
  await stub.dmop.createIoreqServer(a.domid, 'off');
});
afterAll(() => { for (const x of [stub, b, a, dom0]) x.close(); tmp.cleanup(); });

describe('isolation between emulated domains', () => {
  it('pages: an outsider cannot map, read or write what was granted to another', async () => {
    await expectRefusedUnchanged(snap, () => b.gnttab.map(0, [secretRef], true), 'EINVAL', -1);
    for (const ref of [secretRef, 8, 9, 0, 4294967295]) {
      await expectRefusedUnchanged(snap, () => b.gnttab.read({ ref }, 0, 1), 'ENOENT');
      await expectRefusedUnchanged(snap, () => b.gnttab.write({ ref }, 0, Buffer.from('x')), 'ENOENT');
    }
    for (const index of [0, 4096, 2 ** 40]) {
      await expectRefusedUnchanged(snap, () => b.gnttab.read({ index }, 0, 1), 'ENOENT');
      await expectRefusedUnchanged(snap, () => b.gnttab.unmap(index), 'ENOENT');
    }
    await expectRefusedUnchanged(snap, () => b.gnttab.ungrant(0), 'EINVAL');
    await expectRefusedUnchanged(snap, () => b.gnttab.list(a.domid), 'EPERM');
    expect(Buffer.from(await a.gnttab.read({ index: 0 }, 0, 10)).toString()).toBe('for a only');
  });

  it('ports: an outsider cannot notify, unbind, bind or list another domain\'s ports', async () => {
    await expectRefusedUnchanged(snap, () => b.evtchn.notify(aPort), 'ENOTCONN');
    await expectRefusedUnchanged(snap, () => b.evtchn.unbind(aPort), 'ENOTCONN');
    await expectRefusedUnchanged(snap, () => b.evtchn.bindInterdomain(a.domid, aPort), 'EINVAL'); // meant for dom0
    await expectRefusedUnchanged(snap, () => b.evtchn.list(a.domid), 'EPERM');
    await expectRefusedUnchanged(snap, () => b.evtchn.wait([aPort], 0), 'ETIMEDOUT');
  });

  it("ioreq servers: only the control domain or the guest's own device model, and only the owner's server", async () => {
    await expectRefusedUnchanged(snap, () => b.dmop.createIoreqServer(a.domid, 'off'), 'EPERM');
    await expectRefusedUnchanged(snap, () => b.dmop.destroyIoreqServer(a.domid, 0), 'EPERM');
    await expectRefusedUnchanged(snap, () => b.dmop.setMemType(a.domid, 1, 0, 1), 'EPERM');
    await expectRefusedUnchanged(snap, () => b.dmop.list(a.domid), 'EPERM');
    await expectRefusedUnchanged(snap, () => stub.dmop.createIoreqServer(b.domid, 'off'), 'EPERM');
    await expectRefusedUnchanged(snap, () => dom0.dmop.destroyIoreqServer(a.domid, 0), 'EPERM');
    await expectRefusedUnchanged(snap, () => a.dmop.createIoreqServer(a.domid, 'off'), 'EPERM');
    expect((await stub.dmop.list(a.domid)).servers).toHaveLength(1);
  });

  it("memory: an outsider cannot exchange or inspect another domain's memory", async () => {
    await expectRefusedUnchanged(snap, () => b.mem.getDmaBuf(a.domid, 1, 0, 32), 'EPERM');
    await expectRefusedUnchanged(snap, () => b.mem.putDmaBuf(a.domid, 0, 1, 0), 'EPERM');
    await expectRefusedUnchanged(snap, () => b.mem.list(a.domid), 'EPERM');
  });
});
