/**
 * The differential generator (differential.ts) on two emulated hosts: any seed must agree with
 * itself — the emulator is deterministic and the generator's steps valid. test:xen runs the same
 * generator with the real host on one side (test/native/differential.test.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { differential } from './differential.js';
import { emuEnv } from './emu-env.js';

describe('the differential generator', () => {
  it('finds two emulated hosts in agreement over 300 random steps', async () => {
    const [a, b] = [emuEnv(), emuEnv()];
    try {
      expect(await differential(a, b, 7, 300)).toEqual([]);
    } finally {
      await a.teardown();
      await b.teardown();
    }
  }, 60000);

  it('catches a host that answers otherwise (an injected fault on one side)', async () => {
    const [a, b] = [emuEnv(), emuEnv()];
    try {
      const wrong = await b.fresh();
      const fresh = b.fresh.bind(b);
      // the second host refuses its third grant map as if Xen said GNTST_eagain
      b.fresh = async () => wrong;
      const { addFault } = await import('../../src/emu/faults.js');
      const st = (wrong as unknown as { st: import('../../src/emu/store.js').StateStore }).st;
      st.tx(() => addFault(st, { op: 'gnttab.map', domid: 0, code: 'EINVAL', gntst: -12, after: 2, times: 1 }));
      const found = await differential(a, b, 7, 300);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ where: 'outcome', what: expect.stringMatching(/^map /), b: { ok: false, code: 'EINVAL', gntst: -12 } });
      b.fresh = fresh;
    } finally {
      await a.teardown();
      await b.teardown();
    }
  }, 60000);
});
