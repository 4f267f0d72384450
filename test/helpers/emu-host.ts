/**
 * A fresh emulated host per test: Domain-0's backend, backends acting as other domains, guests
 * made with sensible defaults, and a snapshot of the whole state for "nothing changed" checks.
 */
import { afterAll, beforeEach } from '@jest/globals';
import { EmuBackend } from '../../src/emu/backend.js';
import { exportHost, type StateExport } from '../../src/emu/admin.js';
import type { DomainCreateOptions } from '../../src/backend/types.js';
import { tmpDir } from './tmp.js';

export interface EmuHost {
  readonly dom0: EmuBackend;
  as(domid: number): EmuBackend;
  create(o?: Partial<DomainCreateOptions>): Promise<number>;
  snap(): Promise<StateExport>;
}

export function freshHostPerTest(): EmuHost {
  const tmp = tmpDir();
  const opened: EmuBackend[] = [];
  let n = 0;
  let dom0: EmuBackend;
  const closeAll = () => { while (opened.length) opened.pop()!.close(); };
  beforeEach(() => {
    closeAll();
    dom0 = EmuBackend.open(tmp.file(`h${n++}.db`), 0);
    opened.push(dom0);
  });
  afterAll(() => { closeAll(); tmp.cleanup(); });
  return {
    get dom0() { return dom0; },
    as(domid) {
      const b = EmuBackend.open(dom0.st.path, domid);
      opened.push(b);
      return b;
    },
    async create(o = {}) {
      return (await dom0.domains.create({
        name: `g${n++}`, type: 'hvm', hap: true, memory_kb: 16 * 1024, vcpus: 1, max_grant_frames: 64, max_evtchn_port: 1023, ...o,
      })).domid;
    },
    async snap() { return dom0.st.read(() => exportHost(dom0.st)); },
  };
}
