/** Whole scripts: the frontend/backend scenario, xgt smoke, and xgt batch. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../helpers/tmp.js';
import { BIN, xgt } from '../helpers/cli.js';

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

  it('npm run demo (examples/share-pages.sh) shares bytes between two domains and leaves nothing behind', async () => {
    const scratch = tmp.file('demo-tmp');
    mkdirSync(scratch);
    const r = await execa('bash', [fileURLToPath(new URL('../../examples/share-pages.sh', import.meta.url))],
      { env: { ...process.env, TMPDIR: scratch, XGT_STATE: '' }, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/dom0 reads ref 9: hello from domain 1/);
    expect(r.stdout).toMatch(/torn down; dom0 now holds 0 grants$/);
    expect(readdirSync(scratch)).toEqual([]);
  }, 30000);

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
    expect(JSON.parse(out[4])).toEqual({ line: 5, index: 0, domid: 0, refs: [8, 9], count: 2, readonly: false });
    expect(JSON.parse(out[9998])).toEqual({ line: 9999, ports: [18] });
    expect(JSON.parse(out[9999])).toMatchObject({ line: 10000, index: 0, refs: [8, 9] });
  }, 60000);

  // on one CPU a batch turns V8's optimising compiler off (batch.ts), through a module it loads only then
  it('xgt batch confined to one CPU answers as it does on several', async () => {
    const lines = ['gnttab grant --to 0 --pages 2', 'evtchn bind --unbound --remote 0', 'evtchn bind --interdomain --remote 0 --remote-port 18'];
    for (let i = 0; i < 50; i++) {
      lines.push(`gnttab map --domid 0 ${8 + (i % 2)}`, `gnttab write --index 0 --offset ${i * 7} --data r${i}`,
        `gnttab read --ref ${8 + (i % 2)} --offset ${i * 7} --length 3`, 'gnttab unmap 0', 'evtchn notify 19', 'evtchn wait 18 --timeout 0');
    }
    const file = tmp.file('one-cpu.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const run = (cmd: string, args: string[], state: string) =>
      execa(cmd, args, { reject: false, env: { NO_COLOR: '1', XGT_STATE: tmp.file(state) } });
    const one = await run('taskset', ['-c', '0', 'node', BIN, 'batch', file], 'one-cpu.db');
    const many = await run('node', [BIN, 'batch', file], 'many-cpus.db');
    expect([one.exitCode, one.stderr]).toEqual([0, `batch: ${lines.length} line(s) run, ${lines.length} succeeded, 0 failed`]);
    expect(one.stdout).toBe(many.stdout);
  }, 30000);

  it('xgt batch stops at the first failure with its exit code, or goes on with --keep-going', async () => {
    const env = { XGT_STATE: tmp.file('b2.db') };
    const file = tmp.file('fail.txt');
    writeFileSync(file, 'gnttab grant --to 0\n# a comment\n\ngnttab unmap 4096\n--json gnttab list\ngnttab bogus\n');
    const stop = await xgt(['batch', file], env);
    expect(stop.exitCode).toBe(1);
    expect(stop.stdout.trimEnd().split('\n').map((l) => JSON.parse(l)).map((x) => [x.line, x.error?.code ?? 'ok'])).toEqual([[1, 'ok'], [4, 'ENOENT']]);
    expect(stop.stderr).toBe('batch: 2 line(s) run, 1 succeeded, 1 failed; stopped at line 4 (exit 1)\n');
    const go = await xgt(['batch', file, '--keep-going'], env);
    expect(go.exitCode).toBe(1);
    const rows = go.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.line, x.error?.code ?? 'ok'])).toEqual([[1, 'ok'], [4, 'ENOENT'], [5, 'ok'], [6, 'USAGE']]);
    expect(go.stderr).toBe("batch: 4 line(s) run, 2 succeeded, 2 failed; exit 1, the first failure's\n");
  });

  it('xgt batch reads a script as a shell would: an unterminated quote runs nothing (exit 2), a leading xgt is fine', async () => {
    const env = { XGT_STATE: tmp.file('b3.db') };
    const file = tmp.file('quote.txt');
    writeFileSync(file, 'gnttab grant --to 0\n# it\'s a comment, not a quote\nxgt gnttab grant --to 0 --pages "2\n');
    const r = await xgt(['batch', file], env);
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([2, '', 'xgt: batch: usage error: line 3: unterminated double quote\n']);
    expect(JSON.parse((await xgt(['gnttab', 'list', '--json'], env)).stdout).granted).toEqual([]);
    writeFileSync(file, 'xgt gnttab grant --to 0 --pages "2"\necho \'it\'"s" fine\nxgt --json gnttab list\n');
    const ok = await xgt(['batch', '--keep-going', file], env);
    const rows = ok.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows[0]).toMatchObject({ line: 1, refs: [8, 9] });
    expect(rows[1]).toMatchObject({ line: 2, error: { code: 'USAGE', message: "line 2: unknown command 'echo its' (see xgt --help)" } });
    expect(rows[2].granted).toHaveLength(2);
  });

  it('a batch prints and leaves exactly what its lines do run one process each, whatever domains they act as', async () => {
    // two domains taking turns, every kind of line, refusals included, and the same lines again
    // (an unmapped index and a closed port are reused)
    const block = ['gnttab grant --to 1 --pages 2', '--as 1 gnttab map --domid 0 8 9', '--as 1 gnttab map --domid 0 4000',
      '--as 1 gnttab write --index 0 --offset 4090 --data across', 'gnttab read --ref 8 --offset 4090 --length 12',
      '--as 1 evtchn bind --unbound --remote 0', 'evtchn bind --interdomain --remote 1 --remote-port 2', '--as 1 evtchn notify 2',
      'evtchn wait 18 --timeout 0', 'evtchn notify 999', '--as 1 gnttab unmap 0', 'evtchn unbind 18', '--as 1 evtchn unbind 2',
      'gnttab ungrant 0', 'gnttab ungrant 77', 'gnttab list', '--as 1 evtchn list'];
    const lines = [...block, ...block];
    const file = tmp.file('two.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const outcomes = [];
    for (const way of ['batch', 'processes']) {
      const env = { XGT_STATE: tmp.file(`two-${way}.db`) };
      await xgt(['domain', 'create', '--name', 'peer'], env);
      let stdout = '';
      if (way === 'batch') {
        const r = await xgt(['batch', '--keep-going', file], env);
        expect(r.exitCode).toBe(1);
        stdout = r.stdout;
      } else {
        for (const line of lines) stdout += (await xgt([...line.split(' '), '--json'], env)).stdout;
      }
      const after = await Promise.all([['gnttab', 'list', '--json'], ['--as', '1', 'evtchn', 'list', '--json']].map((a) => xgt(a, env)));
      outcomes.push({ stdout, after: after.map((a) => a.stdout) });
    }
    // the batch's lines carry their numbers; the rest is the same
    const rows = outcomes[0].stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.line)).toEqual(lines.map((_, i) => i + 1));
    const unnumbered = rows.map(({ line: _, ...rest }) => `${JSON.stringify(rest)}\n`).join('');
    expect({ ...outcomes[0], stdout: unnumbered }).toEqual(outcomes[1]);
    expect(rows.map((r) => r.error?.code ?? 'ok').slice(0, block.length)).toEqual(['ok', 'ok', 'EINVAL', 'ok', 'ok', 'ok', 'ok', 'ok',
      'ok', 'ENOTCONN', 'ok', 'ok', 'ok', 'ok', 'EINVAL', 'ok', 'ok']);
    expect(rows[4]).toEqual({ line: 5, data: Buffer.from('across').toString('hex') + '000000000000', encoding: 'hex', length: 12 });
  }, 60000);

  it('XGT_BATCH_TIMING=1 adds one stderr line with the batch\'s own time; stdout is unchanged', async () => {
    const file = tmp.file('timed.txt');
    writeFileSync(file, 'gnttab grant --to 0\ngnttab list\n');
    const plain = await xgt(['batch', file], { XGT_STATE: tmp.file('t1.db') });
    const timed = await xgt(['batch', file], { XGT_STATE: tmp.file('t2.db'), XGT_BATCH_TIMING: '1' });
    expect(timed.stdout).toBe(plain.stdout);
    expect(timed.exitCode).toBe(0);
    expect(timed.stderr.split('\n').filter(Boolean)).toEqual([
      'batch: 2 line(s) run, 2 succeeded, 0 failed',
      expect.stringMatching(/^batch timing: 2 line\(s\) in \d+\.\d ms, \d+\/s \(from the script read to the last result; \d+\.\d ms of it waiting for the backend; this process's CPU \d+\.\d ms\)$/),
    ]);
  });
});
