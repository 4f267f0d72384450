/** The contract environment on the emulator: a new state file per fresh(), peers via --as. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmuBackend } from '../../src/emu/backend.js';
import { exportHost } from '../../src/emu/admin.js';
import { domainRow } from '../../src/emu/domain-rows.js';
import { grantPage } from '../../src/emu/grant-table.js';
import { gfnToMfn, readFrames, writeFrames } from '../../src/emu/machine.js';
import type { Backend } from '../../src/backend/types.js';
import type { ContractEnv, Peer } from './env.js';

export function emuEnv(): ContractEnv {
  const dir = mkdtempSync(join(tmpdir(), 'xgt-contract-'));
  const open: EmuBackend[] = [];
  let path = '';
  let n = 0;
  const as = (domid: number) => {
    const b = EmuBackend.open(path, domid);
    open.push(b);
    return b;
  };
  const closeAll = () => { while (open.length) open.pop()!.close(); };
  return {
    name: 'emu',
    async fresh() {
      closeAll();
      path = join(dir, `host-${n++}.db`);
      return as(0);
    },
    async newPeer(opts = {}): Promise<Peer> {
      const d = await as(0).domains.create({
        name: `peer${n++}`, type: opts.type ?? 'hvm', hap: true, memory_kb: 16 * 1024, vcpus: 1, max_grant_frames: 32, max_evtchn_port: 1023,
      });
      const peer = as(d.domid);
      const st = peer.st;
      // the native peers are domu's guests (32 grant frames, as domu makes them), which never run:
      // no kernel holds their timer virqs, and no XenStore names them
      st.tx(() => {
        st.run(`DELETE FROM evtchn WHERE domid = ? AND state = 'virq' AND bound_here = 0`, d.domid);
        st.run('UPDATE domains SET name = ? WHERE domid = ?', `domain-${d.domid}`, d.domid);
      });
      // the guest's kernel grants its pages itself, as a frontend does (and as domu plays it natively)
      let nextGfn = 0x20;
      const gfnOf = new Map<number, number>();
      const page = (ref: number) => ({ pages: 1, frame: () => gfnToMfn(st, d.domid, gfnOf.get(ref)!)! });
      return {
        domid: d.domid,
        async grant(pages, o = {}) {
          return st.tx(() => Array.from({ length: pages }, () => {
            const gfn = nextGfn++;
            const ref = grantPage(st, domainRow(st, d.domid)!, o.to ?? 0, gfn, o.readonly ?? false, 'test');
            gfnOf.set(ref, gfn);
            return ref;
          }));
        },
        frameOf: (ref) => gfnOf.get(ref)!,
        async writePage(ref, offset, data) { st.tx(() => writeFrames(st, page(ref), offset, data)); },
        async readPage(ref, offset, length) { return st.read(() => readFrames(st, page(ref), offset, length)); },
        async allocUnbound(remote) { return (await peer.evtchn.bindUnbound(remote)).port; },
        async portStatus(port) {
          const p = (await peer.evtchn.list()).ports.find((x) => x.port === port);
          return p ? { state: p.state, remote_domid: p.remote_domid, remote_port: p.remote_port }
            : { state: 'closed', remote_domid: null, remote_port: null };
        },
      };
    },
    async missingDomid() { return 0x7fe0; },
    async snapshot(b: Backend) {
      const st = (b as EmuBackend).st;
      return st.read(() => exportHost(st));
    },
    async teardown() {
      closeAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
