/**
 * Many processes on one state file: 8 processes x 500 mixed commands, each process one
 * `xgt batch` (every line its own transaction). Nothing may fail for want of the lock, no update
 * may be lost, and the host must check clean. XGT_LONG=1 runs 8 x 2000.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { tmpDir } from '../helpers/tmp.js';
import { xgt } from '../helpers/cli.js';

const tmp = tmpDir('xgt-conc-');
afterAll(() => tmp.cleanup());
const PROCS = 8;
const LINES = process.env.XGT_LONG ? 2000 : 500;

/** Domain d's script: a cycle of 10 commands over its own grants, ports and guest, plus dom0 grants. */
function script(d: number): string[] {
  const out: string[] = [];
  for (let k = 0; out.length < LINES; k++) {
    out.push(
      `--as ${d} gnttab grant --to ${d} --pages 2`,
      `--as ${d} gnttab map --domid ${d} 8 9`,
      `--as ${d} gnttab write --index 0 --offset 4000 --data cycle-${k}`,
      `--as ${d} gnttab read --ref 8 --offset 4000 --length ${`cycle-${k}`.length}`,
      `--as ${d} gnttab unmap 0`,
      `--as ${d} gnttab ungrant ${k * 8192}`,
      `--as ${d} evtchn bind --unbound --remote ${d}`,
      // (port 1: the guest kernel's timer virq)
      `--as ${d} evtchn bind --interdomain --remote ${d} --remote-port 2`,
      `--as ${d} evtchn notify 3`,
      `--as ${d} evtchn wait 2 --timeout 0`,
      `--as ${d} evtchn wait 3 --timeout 0`,
      `--as ${d} evtchn unbind 3`,
      `--as ${d} evtchn unbind 2`,
      `dmop create-ioreq-server --domid ${d}`,
      `dmop destroy-ioreq-server --domid ${d} --id 0`,
      `gnttab grant --to ${d}`,
    );
  }
  return out.slice(0, LINES);
}

describe('concurrency', () => {
  it(`${PROCS} processes x ${LINES} commands on one state file: all succeed, nothing is lost, the host checks clean`, async () => {
    const env = { XGT_STATE: tmp.file('shared.db'), XGT_LOCK_TIMEOUT_MS: '60000' };
    for (let d = 1; d <= PROCS; d++) await xgt(['domain', 'create', '--name', `d${d}`, '--memory', '16M'], env);
    const files = Array.from({ length: PROCS }, (_, i) => {
      const f = tmp.file(`p${i + 1}.txt`);
      writeFileSync(f, `${script(i + 1).join('\n')}\n`);
      return f;
    });
    const runs = await Promise.all(files.map((f) => xgt(['batch', '--keep-going', f], env)));
    for (const r of runs) {
      const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(rows).toHaveLength(LINES);
      expect(rows.filter((x) => x.error).map((x) => x.error)).toEqual([]);
      expect(r.stderr).not.toMatch(/locked/);
      expect(r.exitCode).toBe(0);
    }
    const dom0Grants = runs.length * script(1).filter((l) => l.startsWith('gnttab grant')).length;
    const l = await xgt(['gnttab', 'list', '--json'], env);
    expect(l.json.usage.gntalloc_used).toBe(dom0Grants);
    expect(new Set(l.json.granted.map((g: { ref: number }) => g.ref)).size).toBe(dom0Grants);
    const check = await xgt(['emu', 'check', '--json'], env);
    expect(check.json).toMatchObject({ clean: true, violations: [] });
  }, 300000);
});
