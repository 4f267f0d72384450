/**
 * `emu capture` on an emulated host (the same code reads a real one in test/xen/capture.sh): the
 * capture answers domain list, gnttab list --domid G, evtchn list --domid G and top as the host
 * did — guests' own (kernel) grants, one in use by dom0, ports bound across — and checks clean.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { EmuBackend } from '../../src/emu/backend.js';
import { domainRow } from '../../src/emu/domain-rows.js';
import { grantPage } from '../../src/emu/grant-table.js';
import { xgt } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());

describe('emu capture', () => {
  it("mirrors a host's domains, grant tables, mappings and channels", async () => {
    const src = tmp.file('host.db');
    const dom0 = EmuBackend.open(src, 0);
    const guests: number[] = [];
    for (const type of ['hvm', 'pvh'] as const) {
      const g = (await dom0.domains.create({ name: `g-${type}`, type, hap: true, memory_kb: 16384, vcpus: 2, max_grant_frames: 32, max_evtchn_port: 1023 })).domid;
      guests.push(g);
      // the guest's kernel grants pages itself, as a frontend does
      dom0.st.tx(() => [0x20, 0x21, 0x22].forEach((gfn, i) => grantPage(dom0.st, domainRow(dom0.st, g)!, 0, gfn, i === 1, 'test')));
      const guest = EmuBackend.open(src, g);
      const port = (await guest.evtchn.bindUnbound(0)).port;
      await dom0.evtchn.bindInterdomain(g, port);
      guest.close();
    }
    await dom0.gnttab.map(guests[0], [9], true);
    dom0.close();

    const out = tmp.file('capture.db');
    const c = await xgt(['emu', 'capture', '--backend', 'emu', '--state', src, '--out', out, '--json']);
    expect(c.json).toEqual({ path: out, domains: 3, grants: 6, ports: 17 + 2 * 3 + 2 });
    const views = [['domain', 'list'], ['top'], ...guests.flatMap((g) => [['gnttab', 'list', '--domid', String(g)], ['evtchn', 'list', '--domid', String(g)]])];
    for (const v of views) {
      const [was, is] = await Promise.all([xgt([...v, '--json'], { XGT_STATE: src }), xgt([...v, '--json'], { XGT_STATE: out })]);
      expect({ v, json: is.json }).toEqual({ v, json: was.json });
    }
    expect((await xgt(['emu', 'check'], { XGT_STATE: out })).exitCode).toBe(0);
    // the guest grant dom0 had in use is mapped on the capture too, and can be unmapped there
    const mapped = (await xgt(['gnttab', 'list', '--json'], { XGT_STATE: out })).json.mapped;
    expect(mapped).toEqual([{ index: 0, domid: guests[0], refs: [9], readonly: true }]);
    expect((await xgt(['gnttab', 'unmap', '0', '--json'], { XGT_STATE: out })).exitCode).toBe(0);
  });

  it('refuses to overwrite a file unless --force, and to capture onto the state it reads', async () => {
    const src = tmp.file('small.db');
    await xgt(['info'], { XGT_STATE: src });
    const out = tmp.file('exists.db');
    await xgt(['info'], { XGT_STATE: out });
    const r = await xgt(['emu', 'capture', '--backend', 'emu', '--state', src, '--out', out]);
    expect([r.exitCode, r.stderr]).toEqual([1, expect.stringMatching(/already exists \(use --force to replace it\)/)]);
    expect((await xgt(['emu', 'capture', '--backend', 'emu', '--state', src, '--out', out, '--force'])).exitCode).toBe(0);
    const same = await xgt(['emu', 'capture', '--backend', 'emu', '--state', src, '--out', src, '--force']);
    expect([same.exitCode, same.stderr]).toEqual([2, expect.stringMatching(/--out is the state file being captured/)]);
  });
});
