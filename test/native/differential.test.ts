/**
 * The differential test in the real dom0: the same random command sequences (differential.ts) on
 * the real host and on the emulator, every step compared. Five fixed seeds of 150 steps; more
 * with XGT_DIFF_SEEDS=1,2,3 (and XGT_DIFF_STEPS).
 */
import { describe, expect, it } from '@jest/globals';
import { differential } from '../contract/differential.js';
import { emuEnv } from '../contract/emu-env.js';
import { nativeEnv } from './native-env.js';

const seeds = process.env.XGT_DIFF_SEEDS ? process.env.XGT_DIFF_SEEDS.split(',').map(Number) : [1, 2, 3, 4, 5];
const steps = Number(process.env.XGT_DIFF_STEPS ?? 150);

describe('native and emulated hosts agree', () => {
  for (const seed of seeds) {
    it(`seed ${seed}, ${steps} steps`, async () => {
      const [real, emu] = [nativeEnv(), emuEnv()];
      try {
        expect(await differential(real, emu, seed, steps)).toEqual([]);
      } finally {
        await real.teardown();
        await emu.teardown();
      }
    }, 600000);
  }
});
