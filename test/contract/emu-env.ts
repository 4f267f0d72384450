/** The contract environment on the emulator: a new state file per fresh(), peers via --as. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmuBackend } from '../../src/emu/backend.js';
import { exportHost } from '../../src/emu/admin.js';
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
        name: `peer${n++}`, type: opts.type ?? 'hvm', hap: true, memory_kb: 16 * 1024, vcpus: 1, max_grant_frames: 64, max_evtchn_port: 1023,
      });
      const peer = as(d.domid);
      return {
        domid: d.domid,
        async grant(pages, o = {}) {
          return (await peer.gnttab.grant(o.to ?? 0, pages, o.readonly ?? false)).refs;
        },
        async writePage(ref, offset, data) { await peer.gnttab.write({ ref }, offset, data); },
        async readPage(ref, offset, length) { return peer.gnttab.read({ ref }, offset, length); },
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
