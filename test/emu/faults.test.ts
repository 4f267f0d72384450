/**
 * Injected faults (`emu fault`), as a script meets them: added by one process, met by another,
 * refused exactly as a real refusal (exit 1, errno, GNTST code), counted down, the host itself
 * untouched; carried by export/import, matched in batch lines, and able to fail `xgt smoke`.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { xgt } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());
let n = 0;

/** A host with domain 1 and two pages dom0 granted it; the env to reach it. */
async function host(): Promise<Record<string, string>> {
  const env = { XGT_STATE: tmp.file(`faults-${n++}.db`) };
  await xgt(['domain', 'create', '--name', 'guest'], env);
  await xgt(['gnttab', 'grant', '--to', '1', '--pages', '2'], env);
  return env;
}

/** The emulated host without its faults: what a refused call must leave as it was. */
async function hostState(env: Record<string, string>): Promise<unknown> {
  const doc = (await xgt(['emu', 'export'], env)).json;
  delete doc.tables.faults;
  return doc;
}

const faults = async (env: Record<string, string>) => (await xgt(['emu', 'fault', 'list', '--json'], env)).json.faults;

describe('an injected fault', () => {
  it('refuses gnttab.map with EINVAL and GNTST_eagain after letting one through, twice, then is gone', async () => {
    const env = await host();
    const add = await xgt(['emu', 'fault', 'add', '--op', 'gnttab.map', '--code', 'EINVAL', '--gntst', 'GNTST_eagain',
      '--after', '1', '--times', '2', '--json'], env);
    expect(add.json).toEqual({ id: 1, op: 'gnttab.map', domid: null, code: 'EINVAL', gntst: -12, after: 1, times: 2 });

    const first = await xgt(['--as', '1', 'gnttab', 'map', '--domid', '0', '8', '--json'], env);
    expect(first.json).toMatchObject({ index: 0, refs: [8] }); // let through
    expect(await faults(env)).toEqual([{ ...add.json, after: 0 }]);

    for (const left of [[{ ...add.json, after: 0, times: 1 }], []]) {
      const before = await hostState(env);
      const r = await xgt(['--as', '1', 'gnttab', 'map', '--domid', '0', '9', '--json'], env);
      expect(r.exitCode).toBe(1);
      expect(r.json.error).toMatchObject({ code: 'EINVAL', errno: 22, op: 'gnttab.map', gntst: -12, gntst_name: 'GNTST_eagain' });
      expect(await hostState(env)).toEqual(before);
      expect(await faults(env)).toEqual(left);
    }
    const after = await xgt(['--as', '1', 'gnttab', 'map', '--domid', '0', '9', '--json'], env);
    expect(after.json).toMatchObject({ refs: [9] });
  });

  it('refuses only the domain it names: a frontend out of grant space (ENOSPC)', async () => {
    const env = await host();
    await xgt(['emu', 'fault', 'add', '--op', 'gnttab.grant', '--code', 'ENOSPC', '--domid', '1'], env);
    expect((await xgt(['gnttab', 'grant', '--to', '1', '--json'], env)).json).toMatchObject({ domid: 0 }); // dom0: not named
    const before = await hostState(env);
    const r = await xgt(['--as', '1', 'gnttab', 'grant', '--to', '0', '--json'], env);
    expect(r.exitCode).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'ENOSPC', errno: 28, op: 'gnttab.grant' });
    expect(r.json.error.gntst).toBeUndefined();
    expect(await hostState(env)).toEqual(before);
    expect(await faults(env)).toEqual([]);
  });

  it('times out a wait until cleared (--times 0), then lets the event through', async () => {
    const env = await host();
    await xgt(['evtchn', 'bind', '--unbound', '--remote', '0'], env); // 18
    await xgt(['evtchn', 'bind', '--interdomain', '--remote', '0', '--remote-port', '18'], env); // 19, pending at once
    await xgt(['emu', 'fault', 'add', '--op', 'evtchn.wait', '--code', 'ETIMEDOUT', '--times', '0'], env);
    for (let i = 0; i < 3; i++) {
      const r = await xgt(['evtchn', 'wait', '19', '--timeout', '0', '--json'], env);
      expect(r.json.error).toMatchObject({ code: 'ETIMEDOUT', op: 'evtchn.wait' });
    }
    expect(await faults(env)).toHaveLength(1);
    expect((await xgt(['emu', 'fault', 'clear', '--json'], env)).json).toEqual({ cleared: [1] });
    expect((await xgt(['evtchn', 'wait', '19', '--timeout', '0', '--json'], env)).json).toEqual({ ports: [19] });
  });

  it('meets batch lines as it meets single commands, and is carried by export and import; emu check stays clean', async () => {
    const env = await host();
    await xgt(['emu', 'fault', 'add', '--op', 'gnttab.map', '--code', 'EINVAL', '--gntst', 'bad_page', '--after', '1'], env);
    const saved = tmp.file(`saved-${n}.json`);
    await xgt(['emu', 'export', saved], env);
    const b = await xgt(['batch', '--keep-going'], env, '--as 1 gnttab map --domid 0 8\n--as 1 gnttab map --domid 0 9\n--as 1 gnttab map --domid 0 9\n');
    const lines = b.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.error?.gntst_name ?? 'ok')).toEqual(['ok', 'GNTST_bad_page', 'ok']);
    expect((await xgt(['emu', 'check'], env)).exitCode).toBe(0);
    expect(await faults(env)).toEqual([]);

    await xgt(['emu', 'import', saved], env);
    expect(await faults(env)).toMatchObject([{ op: 'gnttab.map', gntst: -9, after: 1 }]);
  });

  it('makes xgt smoke fail and say which check failed', async () => {
    const env = { XGT_STATE: tmp.file('smoke.db') };
    await xgt(['emu', 'fault', 'add', '--op', 'evtchn.notify', '--code', 'ENOTCONN'], env);
    const r = await xgt(['smoke'], env);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/evtchn notify and wait\s+FAIL\s+ENOTCONN/);
    expect(r.stderr).toMatch(/smoke failed at 'evtchn notify and wait'/);
  });

  it('is a usage error for what no real refusal looks like, and adds nothing', async () => {
    const env = await host();
    const cases: [string[], RegExp][] = [
      [['--op', 'evtchn.notify', '--code', 'EINVAL', '--gntst', 'GNTST_bad_page'], /evtchn.notify carries no grant status/],
      [['--op', 'gnttab.map', '--code', 'ENOSPC', '--gntst', 'GNTST_eagain'], /--gntst goes with --code EINVAL/],
      [['--op', 'gnttab.map', '--code', 'EINVAL', '--gntst', 'GNTST_okay'], /not a GNTST failure/],
      [['--op', 'gnttab.map', '--code', 'EBOGUS'], /not an errno name/],
      [['--op', 'gnttab.mapp', '--code', 'EINVAL'], /--op gnttab.mapp: not an operation \(one of dmop.create-ioreq-server, /],
    ];
    for (const [args, why] of cases) {
      const r = await xgt(['emu', 'fault', 'add', ...args], env);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(why);
    }
    expect(await faults(env)).toEqual([]);
    expect((await xgt(['emu', 'fault', 'clear', '7', '--json'], env)).json.error).toMatchObject({ code: 'ENOENT' });
  });
});
