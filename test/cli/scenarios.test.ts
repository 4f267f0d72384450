/** Whole scripts: the frontend/backend scenario, xgt smoke, and xgt batch. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../helpers/tmp.js';
import { xgt } from '../helpers/cli.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());
const script = fileURLToPath(new URL('../scenarios/frontend-backend.sh', import.meta.url));

describe('scenarios', () => {
  it('frontend and backend in two processes share a buffer and a channel, and leave nothing behind', async () => {
    const r = await execa('bash', [script, '1500'], { env: { XGT_STATE: tmp.file('fb.db') }, reject: false });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('frontend/backend scenario passed (1500 pages)');
    expect(r.exitCode).toBe(0);
  }, 60000);

  it('the scenario scripts run on the emulator without a word on stderr (test:xen compares them with real Xen)', async () => {
    const compare = fileURLToPath(new URL('../scenarios/compare.sh', import.meta.url));
    const r = await execa('bash', [compare], { reject: false, env: { XGT_XEN_DEVICE_DIR: tmp.file('no-xen') } });
    expect(r.stdout).toMatch(/scenario guest-backend on emu: 3\d lines/);
    expect(r.stdout).toMatch(/scenario self-grant on emu: 19 lines/);
    expect(r.stdout).toMatch(/scenario shbuf on emu: 12 lines/);
    expect(r.exitCode).toBe(0);
  }, 120000);

  it('xgt smoke passes on the emulator and cleans up after itself', async () => {
    const env = { XGT_STATE: tmp.file('smoke.db') };
    const r = await xgt(['smoke', '--json'], env);
    expect(r.exitCode).toBe(0);
    expect(r.json.passed).toBe(true);
    expect(r.json.checks.map((c: { name: string }) => c.name)).toEqual([
      'gnttab grant', 'gnttab map', 'write through the mapping, read through the grant',
      'write through the grant, read through the mapping', 'evtchn bind (loopback)', 'evtchn notify and wait',
      'dmop ioreq server and memory type', 'mem get-dma-buf / put-dma-buf', 'teardown',
    ]);
    expect((await xgt(['domain', 'list', '--json'], env)).json.domains).toHaveLength(1);
    const human = await xgt(['smoke'], env);
    expect(human.stdout).toMatch(/all checks passed/);
  });

  it('xgt smoke fails (exit 1) and says where when a check fails', async () => {
    const env = { XGT_STATE: tmp.file('smoke-fail.db') };
    await xgt(['gnttab', 'limit', '--gntalloc', '1'], env);
    const r = await xgt(['smoke', '--json'], env);
    expect(r.exitCode).toBe(1);
    expect(r.json.error.message).toMatch(/smoke failed at 'gnttab grant': ENOSPC/);
    expect(r.json.error.report.checks.at(-1)).toMatchObject({ name: 'teardown', ok: true });
  });

  it('xgt batch runs 10,000 lines in one process, one JSON line each', async () => {
    const lines = ['gnttab grant --to 0 --pages 2', 'evtchn bind --unbound --remote 0',
      'evtchn bind --interdomain --remote 0 --remote-port 18', 'evtchn wait 19 --timeout 0'];
    while (lines.length < 10000) {
      lines.push('gnttab map --domid 0 8 9', 'gnttab write --index 0 --offset 4096 --data x', 'gnttab unmap 0',
        'evtchn notify 19', 'evtchn wait 18 --timeout 0');
    }
    const file = tmp.file('10k.txt');
    writeFileSync(file, `${lines.slice(0, 10000).join('\n')}\n`);
    const r = await xgt(['batch', file], { XGT_STATE: tmp.file('batch.db') });
    expect(r.exitCode).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(10000);
    expect(JSON.parse(out[4])).toEqual({ index: 0, domid: 0, refs: [8, 9], count: 2, readonly: false });
    expect(JSON.parse(out[9998])).toEqual({ ports: [18] });
    expect(JSON.parse(out[9999])).toMatchObject({ index: 0, refs: [8, 9] });
  }, 60000);

  it('xgt batch stops at the first failure with its exit code, or goes on with --keep-going', async () => {
    const env = { XGT_STATE: tmp.file('b2.db') };
    const file = tmp.file('fail.txt');
    writeFileSync(file, 'gnttab grant --to 0\n# a comment\n\ngnttab unmap 4096\n--json gnttab list\ngnttab bogus\n');
    const stop = await xgt(['batch', file], env);
    expect(stop.exitCode).toBe(1);
    expect(stop.stdout.trimEnd().split('\n').map((l) => Object.keys(JSON.parse(l))[0])).toEqual(['domid', 'error']);
    const go = await xgt(['batch', file, '--keep-going'], env);
    expect(go.exitCode).toBe(1);
    const rows = go.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.error?.code ?? 'ok')).toEqual(['ok', 'ENOENT', 'ok', 'USAGE']);
  });

  it('a repeated line replayed from its first run prints and leaves what running its command again does', async () => {
    // every replayable command, succeeding and failing, repeated (the index after an unmap is reused)
    const block = ['gnttab grant --to 0 --pages 2', 'gnttab map --domid 0 8 9', 'gnttab map --domid 0 4000', 'gnttab unmap 0',
      'evtchn bind --unbound --remote 0', 'evtchn notify 18', 'evtchn notify 999', 'evtchn unbind 18', 'gnttab ungrant 0',
      'gnttab ungrant 77', 'evtchn bind --virq 0'];
    const file = tmp.file('replay.txt');
    writeFileSync(file, `${Array(6).fill(block).flat().join('\n')}\n`);
    const runs = [];
    for (const replay of ['0', '1']) {
      for (const keepGoing of [[], ['--keep-going']]) {
        const env = { XGT_STATE: tmp.file(`replay-${replay}-${keepGoing.length}.db`), XGT_BATCH_REPLAY: replay, XGT_BATCH_TIMING: '1' };
        const r = await xgt(['batch', file, ...keepGoing], env);
        const timing = r.stderr.split('\n').find((l) => l.startsWith('batch timing'))!;
        expect(/repeated line\(s\) replayed/.test(timing)).toBe(replay === '1' && keepGoing.length === 1);
        const after = await Promise.all([['gnttab', 'list', '--json'], ['evtchn', 'list', '--json']].map((a) => xgt(a, env)));
        runs.push({ keepGoing: keepGoing.length, stdout: r.stdout, exitCode: r.exitCode, after: after.map((a) => a.stdout) });
      }
    }
    expect(runs[2]).toEqual(runs[0]);
    expect(runs[3]).toEqual(runs[1]);
    expect(runs[1].stdout.trimEnd().split('\n')).toHaveLength(66);
    expect(runs[1].stdout).toMatch(/"code":"ENOTCONN"/);
  }, 60000);

  it('XGT_BATCH_TIMING=1 adds one stderr line with the batch\'s own time; stdout is unchanged', async () => {
    const file = tmp.file('timed.txt');
    writeFileSync(file, 'gnttab grant --to 0\ngnttab list\n');
    const plain = await xgt(['batch', file], { XGT_STATE: tmp.file('t1.db') });
    const timed = await xgt(['batch', file], { XGT_STATE: tmp.file('t2.db'), XGT_BATCH_TIMING: '1' });
    expect(timed.stdout).toBe(plain.stdout);
    expect(timed.exitCode).toBe(0);
    expect(timed.stderr.split('\n').filter(Boolean)).toEqual([
      'batch: 2 command(s) run',
      expect.stringMatching(/^batch timing: 2 line\(s\) in \d+\.\d ms, \d+\/s, run by this process \(from the script read to the last result; this process's CPU \d+\.\d ms\)$/),
    ]);
  });
});
