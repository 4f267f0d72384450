/**
 * --trace and `xgt replay`: a session traced on the emulator — single commands and batch lines,
 * refusals included — replays with no divergence on a fresh host, and on a host where every
 * number comes out different (paired, not required equal); a wrong answer from the emulator is
 * reported with what the trace expected.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { differs, Pairing } from '../../src/cli/replay.js';
import { xgt } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());

/** A frontend/backend session traced to `trace`, on a fresh host. */
async function tracedSession(trace: string): Promise<void> {
  const env = { XGT_STATE: tmp.file(`${trace}.db`), XGT_TRACE: tmp.file(trace) };
  const run = (...a: string[]) => xgt(a, env);
  await run('domain', 'create', '--name', 'front');
  await run('--as', '1', 'gnttab', 'grant', '--to', '0', '--pages', '2');
  await run('gnttab', 'map', '--domid', '1', '8', '9');
  await run('gnttab', 'write', '--index', '0', '--offset', '4096', '--data', 'from the backend');
  await run('--as', '1', 'gnttab', 'read', '--ref', '9', '--length', '16', '--format', 'raw');
  await run('--as', '1', 'evtchn', 'bind', '--unbound', '--remote', '0');
  await run('evtchn', 'bind', '--interdomain', '--remote', '1', '--remote-port', '2');
  await run('gnttab', 'map', '--domid', '1', '99');                  // refused: GNTST_general_error
  await xgt(['batch', '--keep-going'], env, 'evtchn wait 18 --timeout 0\n--as 1 evtchn notify 2\nevtchn wait 18 --timeout 0\n'
    + 'gnttab list --domid 1\nevtchn list --domid 1\ngnttab unmap 0\n--as 1 gnttab ungrant 0\ntop\n');
}

describe('trace and replay', () => {
  it('traces one line per command and per batch line: argv without global flags, backend, acting domain, exit, JSON', async () => {
    await tracedSession('a.trace');
    const lines = readFileSync(tmp.file('a.trace'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(16);
    expect(lines[1]).toEqual({ argv: ['gnttab', 'grant', '--to', '0', '--pages', '2'], backend: 'emu', as: 1, exit: 0,
      output: { domid: 1, to: 0, index: 0, refs: [8, 9], readonly: false } });
    expect(lines[4].output).toEqual({ data: Buffer.from('from the backend').toString('hex'), encoding: 'hex', length: 16 });
    expect(lines[7]).toMatchObject({ exit: 1, output: { error: { code: 'EINVAL', gntst: -1 } } });
    expect(lines[9]).toMatchObject({ argv: ['evtchn', 'notify', '2'], as: 1, exit: 0 });
  });

  it('replays on a fresh host with no divergence', async () => {
    const r = await xgt(['replay', tmp.file('a.trace'), '--state', tmp.file('fresh.db'), '--json']);
    expect(r.json).toEqual({ commands: 16, paired: {}, divergences: [] });
    expect(r.exitCode).toBe(0);
  });

  it('pairs the numbers a busier host hands out instead, and still finds no divergence', async () => {
    const env = { XGT_STATE: tmp.file('busy.db') };
    await xgt(['domain', 'create', '--name', 'first'], env);              // the frontend becomes domain 2
    await xgt(['--as', '1', 'evtchn', 'bind', '--unbound', '--remote', '0'], env);
    await xgt(['evtchn', 'bind', '--unbound', '--remote', '1'], env);      // dom0's next port is 19
    // all but `top`, which shows this host's extra domain: a real difference
    const lines = readFileSync(tmp.file('a.trace'), 'utf8').trim().split('\n');
    writeFileSync(tmp.file('b.trace'), `${lines.slice(0, -1).join('\n')}\n`);
    const r = await xgt(['replay', tmp.file('b.trace'), '--json'], env);
    expect(r.json.divergences).toEqual([]);
    expect(r.json.commands).toBe(15);
    expect(r.json.paired).toMatchObject({ 'domid of domain any': { 1: 2 }, 'port of domain 0': { 18: 19 } });
  });

  it('reports where the emulator answers otherwise than the trace, with both answers', async () => {
    const env = { XGT_STATE: tmp.file('wrong.db') };
    // a deliberately wrong emulator: the backend's map of the guest's grant refused
    await xgt(['emu', 'fault', 'add', '--op', 'gnttab.map', '--code', 'EINVAL', '--gntst', 'GNTST_bad_page', '--domid', '0'], env);
    const r = await xgt(['replay', tmp.file('a.trace'), '--json'], env);
    expect(r.exitCode).toBe(1);
    expect(r.json.divergences).toEqual([{
      line: 3, argv: ['gnttab', 'map', '--domid', '1', '8', '9'],
      expected: { exit: 0, output: { index: 0, domid: 1, refs: [8, 9], count: 2, readonly: false } },
      got: { exit: 1, output: { error: expect.objectContaining({ code: 'EINVAL', gntst: -9 }) } },
    }]);
    expect(r.json.commands).toBe(3); // stops at the first, without --keep-going
    const human = await xgt(['replay', tmp.file('a.trace'), '--keep-going'], { XGT_STATE: tmp.file('wrong2.db') });
    expect(human.stdout.split('\n')[0]).toBe('16 command(s) replayed, 0 divergence(s)');
  });

  it('refuses a trace it cannot write before the command does anything', async () => {
    const env = { XGT_STATE: tmp.file('untraced.db') };
    const r = await xgt(['gnttab', 'grant', '--to', '0', '--trace', '/nonexistent/dir/t'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--trace: cannot append to \/nonexistent\/dir\/t: ENOENT/);
    expect((await xgt(['gnttab', 'list', '--json'], env)).json.granted).toEqual([]);
  });
});

describe('pairing', () => {
  it('pairs a number once per kind and domain, and calls a contradiction a divergence', () => {
    const p = new Pairing();
    expect(differs({ port: 18 }, { port: 19 }, p, ['evtchn', 'bind'], 0)).toBeUndefined();
    expect(differs({ port: 18 }, { port: 18 }, p, ['evtchn', 'bind'], 1)).toBeUndefined(); // another domain's 18
    expect(differs({ ports: [18] }, { ports: [19] }, p, ['evtchn', 'wait'], 0)).toBeUndefined();
    expect(differs({ ports: [18] }, { ports: [20] }, p, ['evtchn', 'wait'], 0)).toBe('ports[0]');
    expect(differs({ port: 21 }, { port: 19 }, p, ['evtchn', 'bind'], 0)).toBe('port'); // 19 is 18's already
    expect(p.rewrite(['evtchn', 'notify', '18'], 0)).toEqual(['evtchn', 'notify', '19']);
    expect(p.rewrite(['evtchn', 'wait', '18', '--timeout', '18'], 0)).toEqual(['evtchn', 'wait', '19', '--timeout', '18']);
    expect(p.rewrite(['evtchn', 'bind', '--interdomain', '--remote', '0', '--remote-port', '18'], 1))
      .toEqual(['evtchn', 'bind', '--interdomain', '--remote', '0', '--remote-port', '19']);
    expect(differs({ error: { code: 'EINVAL', message: 'a' } }, { error: { code: 'EINVAL', message: 'b' } }, p, ['x'], 0)).toBeUndefined();
  });
});
