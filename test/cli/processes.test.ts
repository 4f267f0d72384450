/** The binary in separate processes: exit codes, one-line errors, and processes sharing one state file. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { sha256, tmpDir } from '../helpers/tmp.js';
import { xgt } from '../helpers/cli.js';
import { commandFiles } from '../helpers/commands.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = () => ({ XGT_STATE: tmp.file(`s${n++}.db`) });

function expectOneLineUsage(r: { exitCode: number; stderr: string; stdout: string }) {
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^xgt: .*usage error: /);
  expect(r.stderr).not.toMatch(/\s+at .*\(.*:\d+:\d+\)/);
}

describe('usage errors people can act on', () => {
  it('suggest the command or flag meant, name exclusive flags once, and ask for a mode first', async () => {
    const cases: [string[], string][] = [
      [['gnttab', 'mapp', '--domid', '0', '8'], "xgt: usage error: unknown command 'gnttab mapp'; did you mean 'gnttab map'? (see xgt --help)"],
      [['gntab', 'list'], "xgt: usage error: unknown command 'gntab list'; did you mean 'gnttab list'? (see xgt --help)"],
      [['frobnicate'], "xgt: usage error: unknown command 'frobnicate' (see xgt --help)"],
      [['gnttab', 'map', '--domidd', '0', '8'], 'xgt: gnttab.map: usage error: unknown flag --domidd; did you mean --domid?'],
      [['gnttab', 'read', '--index', '0', '--ref', '9'], 'xgt: gnttab.read: usage error: --index and --ref cannot be used together'],
      [['evtchn', 'bind'], 'xgt: evtchn.bind: usage error: one of --unbound, --interdomain or --virq is required'],
      [['gnttab', 'map', '8'], 'xgt: gnttab.map: usage error: --domid is required'],
      [['evtchn', 'bind', '--interdomain', '--remote', '1'], 'xgt: evtchn.bind: usage error: --remote-port is required with --interdomain'],
    ];
    for (const [args, line] of cases) {
      const r = await xgt(args, fresh());
      expectOneLineUsage(r);
      expect(r.stderr).toBe(`${line}\n`);
    }
    const batch = await xgt(['batch', '--keep-going'], fresh(), 'gnttab mapp\ngnttab map --domidd 0 8\n');
    expect(batch.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).error.message)).toEqual([
      "line 1: unknown command 'gnttab mapp'; did you mean 'gnttab map'? (see xgt --help)", 'unknown flag --domidd; did you mean --domid?']);
  }, 30000);
});

describe('help and version', () => {
  it('-h and --help work on every command, with its examples; -v and --version at the top; help TOPIC', async () => {
    const ids = commandFiles().map((c) => c.id);
    const runs = await Promise.all(ids.map(async (id) => ({ id, r: await xgt([...id.split(' '), '-h']) })));
    for (const { id, r } of runs) {
      expect([id, r.exitCode]).toEqual([id, 0]);
      expect(r.stdout).toContain(`$ xgt ${id}`);
      expect(r.stdout).toMatch(/EXAMPLES\n\s+\$ xgt /);
    }
    expect((await xgt(['gnttab', 'map', '--help'])).stdout).toBe(runs.find((x) => x.id === 'gnttab map')!.r.stdout);
    for (const flag of ['-v', '--version']) expect((await xgt([flag])).stdout).toMatch(/^xgt\/0\.1\.0 /);
    const topic = await xgt(['help', 'evtchn']);
    expect([topic.exitCode, topic.stdout.includes('evtchn notify')]).toEqual([0, true]);
  }, 60000);
});

describe('a clone whose build did not run', () => {
  it('says in one line what to run (exit 3), and package.json builds on npm ci', async () => {
    const clone = tmp.file('clone');
    mkdirSync(join(clone, 'bin'), { recursive: true });
    for (const f of ['run.js', 'package.json']) copyFileSync(fileURLToPath(new URL(`../../bin/${f}`, import.meta.url)), join(clone, 'bin', f));
    const r = await execa('node', [join(clone, 'bin/run.js'), 'info'], { reject: false });
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([3, '', `xgt: not built: run \`npm run build\` in ${clone}`]);
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
    expect(pkg.scripts.prepare).toMatch(/npm run -s build/);
  });
});

describe('a script in separate processes', () => {
  it('dom0 grants domain 1 two pages; it maps both and writes the second; dom0 reads it back', async () => {
    const env = fresh();
    expect((await xgt(['domain', 'create', '--name', 'guest', '--json'], env)).json.domid).toBe(1);
    const g = await xgt(['gnttab', 'grant', '--to', '1', '--pages', '2', '--json'], env);
    expect(g.json).toEqual({ domid: 0, to: 1, index: 0, refs: [8, 9], readonly: false });
    const m = await xgt(['--as', '1', 'gnttab', 'map', '--domid', '0', '8', '9', '--json'], env);
    expect(m.json).toEqual({ index: 0, domid: 0, refs: [8, 9], count: 2, readonly: false });
    const w = await xgt(['gnttab', 'write', '--as', '1', '--index', '0', '--offset', '4100', '--data', 'hello dom0', '--json'], env);
    expect(w.json).toEqual({ written: 10 });
    const r = await xgt(['gnttab', 'read', '--ref', '9', '--offset', '4', '--length', '10', '--format', 'raw'], env);
    expect(r.stdout).toBe('hello dom0');
    // Xen shows dom0 not its own table: the use of grants to others is unknown there…
    const l = await xgt(['gnttab', 'list', '--json'], env);
    expect(l.json.granted.map((x: { in_use: string }) => x.in_use)).toEqual([null, null]);
    expect(l.json.note).toMatch(/own grant table/);
    // …and domain 1's mapping shows in its own listing
    const l1 = await xgt(['--as', '1', 'gnttab', 'list', '--json'], env);
    expect(l1.json.mapped).toEqual([{ index: 0, domid: 0, refs: [8, 9], readonly: false }]);
  });

  it('many processes on one state file lose no update', async () => {
    const env = fresh();
    await xgt(['emu', 'init'], env);
    const runs = await Promise.all(Array.from({ length: 8 }, () => xgt(['gnttab', 'grant', '--to', '0', '--json'], env)));
    expect(runs.map((r) => r.exitCode)).toEqual(new Array(8).fill(0));
    const refs = runs.map((r) => r.json.refs[0]).sort((a, b) => a - b);
    expect(refs).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect((await xgt(['gnttab', 'list', '--json'], env)).json.usage.gntalloc_used).toBe(8);
  });
});

describe('errors', () => {
  it('a refusal is one line on stderr and exit 1; with --json one document on stdout', async () => {
    const env = fresh();
    const r = await xgt(['gnttab', 'map', '--domid', '0', '99999'], env);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/EINVAL.*GNTST_bad_gntref/);
    const j = await xgt(['gnttab', 'map', '--domid', '0', '99999', '--json'], env);
    expect(j.exitCode).toBe(1);
    expect(j.stderr).toBe('');
    expect(j.json).toEqual({
      error: {
        code: 'EINVAL', errno: 22, op: 'gnttab.map', gntst: -3, gntst_name: 'GNTST_bad_gntref',
        message: expect.stringContaining('ref 99999'),
      },
    });
  });

  it.each([
    [['nosuch']],
    [['gnttab', 'nosuch']],
    [['gnttab', 'grant']],
    [['gnttab', 'grant', '--to', 'x']],
    [['gnttab', 'grant', '--to', '1', '--pages', '0']],
    [['gnttab', 'grant', '--to', '-1']],
    [['gnttab', 'grant', '--to', '70000']],
    [['gnttab', 'grant', '--to', '1', '--bogus']],
    [['gnttab', 'map', '--domid', '0']],
    [['gnttab', 'map', '--domid', '0', '8x']],
    [['gnttab', 'unmap']],
    [['gnttab', 'read', '--ref', '8', '--index', '0']],
    [['gnttab', 'read', '--ref', '8', '--format', 'bin']],
    [['gnttab', 'write', '--ref', '8', '--hex', 'abc']],
    [['domain', 'create', '--name', 'bad name']],
    [['domain', 'create', '--name', 'x', '--memory', 'lots']],
    [['--as', '5', 'info']],
    [['info', '--backend', 'xen']],
  ])('usage error %j: exit 2, one line, no stack trace', async (args) => {
    const env = fresh();
    const r = await xgt(args, env);
    expectOneLineUsage(r);
    const j = await xgt([...args, '--json'], env);
    expect(j.exitCode).toBe(2);
    expect(j.json.error.code).toBe('USAGE');
  });

  it('an unavailable native backend is exit 3 with one line', async () => {
    const r = await xgt(['info', '--backend', 'native'], { XGT_XEN_DEVICE_DIR: tmp.file('no-xen') });
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/native backend unavailable: .*does not exist/);
  });

  it.each([
    ['random bytes', (p: string) => writeFileSync(p, randomBytes(4096))],
    ['an empty file', (p: string) => writeFileSync(p, '')],
    ['a newer schema', (p: string) => {
      const db = new Database(p);
      db.pragma('application_id = 2020963377');
      db.pragma('user_version = 99');
      db.close();
    }],
    ['another program\'s SQLite file', (p: string) => {
      const db = new Database(p);
      db.exec('CREATE TABLE x (y)');
      db.close();
    }],
  ])('a state file holding %s: exit 3, and the file is left byte for byte', async (_what, make) => {
    const env = fresh();
    make(env.XGT_STATE);
    const before = sha256(env.XGT_STATE);
    for (const args of [['gnttab', 'list'], ['gnttab', 'grant', '--to', '0'], ['emu', 'reset'], ['domain', 'create', '--name', 'a']]) {
      const r = await xgt(args, env);
      expect(r.exitCode).toBe(3);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(sha256(env.XGT_STATE)).toBe(before);
    }
  });
});

describe('output', () => {
  it('human tables look like xl list and carry no colour when not on a terminal', async () => {
    const env = fresh();
    await xgt(['domain', 'create', '--name', 'guest'], env);
    const r = await xgt(['domain', 'list'], { ...env, NO_COLOR: '' });
    expect(r.stdout).not.toMatch(/\u001b\[/);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Name\s+ID\s+Mem\s+VCPUs\s+State/);
    expect(lines[1]).toMatch(/^Domain-0\s+0\s+2048\s+1\s+r-----/);
    expect(lines[2]).toMatch(/^guest\s+1\s+512\s+1\s+r-----/);
  });

  it('global flags may come before the command', async () => {
    const env = fresh();
    const r = await xgt(['--json', '--backend', 'emu', 'info'], env);
    expect(r.json).toMatchObject({ backend: 'emu', domid: 0 });
  });

  it('emu export and import round-trip the host', async () => {
    const env = fresh();
    await xgt(['domain', 'create', '--name', 'g'], env);
    await xgt(['gnttab', 'grant', '--to', '1'], env);
    await xgt(['gnttab', 'write', '--ref', '8', '--data', 'persisted'], env);
    const file = tmp.file('export.json');
    expect((await xgt(['emu', 'export', file], env)).exitCode).toBe(0);
    const other = fresh();
    expect((await xgt(['emu', 'import', file, '--json'], other)).json).toEqual({ imported: file, domains: 2 });
    expect((await xgt(['gnttab', 'read', '--ref', '8', '--length', '9', '--format', 'raw'], other)).stdout).toBe('persisted');
  });

  it('emu init refuses an existing file without --force (EEXIST) and resets it with --force', async () => {
    const env = fresh();
    await xgt(['domain', 'create', '--name', 'g'], env);
    expect((await xgt(['emu', 'init', '--json'], env)).json.error.code).toBe('EEXIST');
    expect((await xgt(['emu', 'init', '--force', '--json'], env)).json.action).toBe('reset');
    expect((await xgt(['domain', 'list', '--json'], env)).json.domains).toHaveLength(1);
  });
});
