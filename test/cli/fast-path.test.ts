/**
 * The same command lines through the fast path and through oclif (XGT_FAST_PATH=0), each on its
 * own copy of one state file: same stdout, stderr and exit code, and the same state afterwards.
 * Help, errors and odd spellings included: the fast path must be invisible.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, rmSync } from 'node:fs';
import { exportHost } from '../../src/emu/admin.js';
import { StateStore } from '../../src/emu/store.js';
import { tmpDir } from '../helpers/tmp.js';
import { xgt } from '../helpers/cli.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());
const base = tmp.file('base.db');

beforeAll(async () => {
  for (const line of [
    ['domain', 'create', '--name', 'guest', '--memory', '16M'],
    ['gnttab', 'grant', '--to', '0', '--pages', '2'],
    ['--as', '1', 'gnttab', 'grant', '--to', '0'],
    ['evtchn', 'bind', '--unbound', '--remote', '1'],
  ]) expect((await xgt([...line, '--state', base])).exitCode).toBe(0);
});

const LINES: string[][] = [
  ['gnttab', 'list', '--json'],
  ['gnttab', 'list'],
  ['--json', 'gnttab', 'list', '--domid', '1'],
  ['gnttab', 'map', '--domid', '1', '8', '--json'],
  ['gnttab', 'map', '--domid=0', '8', '9', '--readonly'],
  ['gnttab', 'map', '--domid', '0', '--bogus', '8'],
  ['gnttab', 'map', '--domid', '0'],
  ['gnttab', 'map', '8'],
  ['gnttab', 'map', '--domid', '70000', '8', '--json'],
  ['gnttab', 'read', '--ref', '8', '--length', '4'],
  ['gnttab', 'read', '--ref', '8', '--format', 'bogus'],
  ['gnttab', 'write', '--ref', '8', '--data', 'hi', '--hex', '00'],
  ['gnttab', 'write', '--ref', '8', '--data', '-dash'],
  ['gnttab', 'grant', '--to', '1', '--pages', '3', '--json'],
  ['gnttab', 'ungrant', '4096'],
  ['evtchn', 'notify', '18'],
  ['evtchn', 'notify', '18', '--json'],
  ['evtchn', 'notify'],
  ['evtchn', 'notify', '-1'],
  ['evtchn', 'bind', '--unbound', '--interdomain', '--remote', '1'],
  ['evtchn', 'wait', '18', '--timeout', '0', '--json'],
  ['--as', '1', 'evtchn', 'bind', '--interdomain', '--remote', '0', '--remote-port', '18', '--json'],
  ['--backend', 'bogus', 'gnttab', 'list'],
  ['domain', 'list', '--json'],
  ['domain', 'create', '--name', 'x', '--type', 'pv', '--json'],
  ['info', '--json'],
  ['emu', 'check', '--json'],
  ['gnttab'],
  ['gnttab', 'list', '--help'],
  ['gnttab', 'bogus'],
  ['bogus'],
  ['gnttab:list', '--json'],
  ['gnttab', 'list', '--', '--json'],
  ['gnttab', 'list', 'extra'],
  ['--version'],
  ['batch', '--keep-going', '-'],
  ['batch', '-'],
];

/** Batch lines the fast path runs, and lines it hands to oclif in the middle of the batch. */
const BATCH_SCRIPT = [
  'gnttab grant --to 0', 'gnttab map --domid 0 8', 'gnttab map --domid 0 --bogus 8', 'gnttab map --domid 0 9 -- x',
  'gnttab read --index 0 --format bogus', 'bogus command', 'evtchn notify 99', 'gnttab list --domid 1', 'gnttab unmap 0',
  '--as 1 gnttab grant --to 0 --pages 2', 'gnttab write --ref 8 --data -x', 'evtchn wait 18 --timeout 0',
].join('\n');

describe('the fast path is invisible', () => {
  it.each(LINES.map((l): [string, string[]] => [l.join(' '), l]))('%s', async (_name, line) => {
    const runs = [];
    // one path for both runs: some output names the state file
    const state = tmp.file(`s-${line.join('_').replace(/[^a-z0-9_]/gi, '')}.db`);
    for (const fast of ['1', '0']) {
      for (const f of [`${state}-wal`, `${state}-shm`]) rmSync(f, { force: true });
      copyFileSync(base, state);
      const r = await xgt([...line], { XGT_STATE: state, XGT_FAST_PATH: fast, XGT_LOCK_TIMEOUT_MS: '2000' },
        line[0] === 'batch' ? BATCH_SCRIPT : undefined);
      const st = StateStore.open(state);
      try {
        runs.push({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, state: st.read(() => exportHost(st)) });
      } finally {
        st.close();
      }
    }
    expect(runs[0]).toEqual(runs[1]);
  });
});
