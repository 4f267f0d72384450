/**
 * Crashes: a command killed with SIGKILL at a random moment while it writes never leaves the
 * state file unusable or half-changed. Each killed `gnttab grant --pages 300` took effect wholly
 * or not at all. 40 runs here; XGT_LONG=1 runs 200.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { tmpDir } from '../helpers/tmp.js';
import { BIN, xgt } from '../helpers/cli.js';

const tmp = tmpDir('xgt-crash-');
afterAll(() => tmp.cleanup());
const RUNS = process.env.XGT_LONG ? 200 : 40;
const PAGES = 1000;

describe('crashes', () => {
  it(`${RUNS} commands killed at random moments leave the state whole, each grant all or nothing`, async () => {
    const env = { XGT_STATE: tmp.file('crash.db'), NO_COLOR: '1' };
    await xgt(['gnttab', 'limit', '--gntalloc', String(PAGES * (RUNS + 2))], env);
    // how long one such command takes here: the kills are spread over its whole life
    const t0 = Date.now();
    await xgt(['gnttab', 'grant', '--to', '0', '--pages', String(PAGES)], env);
    const life = Date.now() - t0;
    let expected = PAGES;
    const outcomes = { killed_before: 0, killed_after: 0, finished: 0 };
    for (let i = 0; i < RUNS; i++) {
      const child = execa('node', [BIN, 'gnttab', 'grant', '--to', '0', '--pages', String(PAGES), '--json'], { env, reject: false });
      const delay = Math.floor(life * (0.4 + Math.random() * 0.7));
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const r = await child;
      clearTimeout(timer);
      const used = (await xgt(['gnttab', 'list', '--json'], env)).json.usage.gntalloc_used;
      expect([expected, expected + PAGES]).toContain(used);
      if (r.exitCode === 0) {
        expect(used).toBe(expected + PAGES);
        outcomes.finished++;
      } else if (used === expected) outcomes.killed_before++;
      else outcomes.killed_after++;
      expected = used;
    }
    const check = await xgt(['emu', 'check', '--json'], env);
    expect(check.json).toMatchObject({ clean: true });
    process.stderr.write(`crash runs (a command lives ~${life} ms): ${JSON.stringify(outcomes)}\n`);
    expect(outcomes.killed_before + outcomes.killed_after).toBeGreaterThan(0);
  }, 600000);

  it('a batch killed part way printed only results that landed', async () => {
    const env = { XGT_STATE: tmp.file('batch-crash.db'), NO_COLOR: '1' };
    await xgt(['gnttab', 'limit', '--gntalloc', '100000'], env);
    const file = tmp.file('grants.txt');
    writeFileSync(file, 'gnttab grant --to 0\n'.repeat(20000));
    for (let run = 0; run < 5; run++) {
      const child = execa('node', [BIN, 'batch', file], { env, reject: false });
      // killed once it has printed something (a group has landed), at a different point each
      // run: never before it starts, however fast the machine, nor after it ends
      let timer: NodeJS.Timeout | undefined;
      child.stdout!.once('data', () => { timer = setTimeout(() => child.kill('SIGKILL'), 10 + run * 40); });
      const r = await child;
      clearTimeout(timer);
      expect(r.signal).toBe('SIGKILL');
      const printed = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).refs[0]);
      const granted = new Set((await xgt(['gnttab', 'list', '--json'], env)).json.granted.map((g: { ref: number }) => g.ref));
      expect(printed.filter((ref) => !granted.has(ref))).toEqual([]);
    }
    expect((await xgt(['emu', 'check', '--json'], env)).json).toMatchObject({ clean: true });
  }, 120000);
});
