/**
 * The native agent's process and socket behaviour, on any machine: regular files stand in for
 * /dev/xen (every ioctl on them fails with ENOTTY, which is enough to reach the agent and back).
 * Needs the addon (CI builds it); says "Skip:" without it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { cpSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonBuilt } from '../../src/native/addon.js';
import { tmpDir } from '../helpers/tmp.js';
import { BIN, xgt } from '../helpers/cli.js';

const tmp = tmpDir('xgt-agent-');
const devices = tmp.file('dev');
const agentDir = tmp.file('agent');
const env = { XGT_XEN_DEVICE_DIR: devices, XGT_AGENT_DIR: agentDir, XGT_BACKEND: 'native' };
const sock = `${agentDir}/agent.sock`;
const built = addonBuilt();
if (!built) process.stderr.write('Skip: the native addon is not built (npm run build:native)\n');

function request(lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const c = createConnection(sock);
    const got: string[] = [];
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      got.push(...parts);
      if (got.length === lines.length) { c.end(); resolve(got); }
    });
    c.on('error', reject);
    c.on('connect', () => c.write(lines.map((l) => `${l}\n`).join('')));
  });
}

const agentPid = () => Number(readFileSync(`${agentDir}/agent.pid`, 'utf8'));

/**
 * Runs `use` against a stand-in agent on a socket of its own that answers each request with
 * `answer(op, args)` (undefined: ENOSYS, as an agent without that operation does); returns the
 * requests it got.
 */
async function fakeAgent(use: (file: string, agentEnv: Record<string, string>) => Promise<void>,
  answer: (op: string, args: unknown[]) => unknown): Promise<[string, unknown[]][]> {
  const dir = tmp.file(`fake-agent-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { mode: 0o700 });
  const asked: [string, unknown[]][] = [];
  const server = createServer((c) => {
    createInterface({ input: c }).on('line', (line) => {
      const { id, op, args } = JSON.parse(line) as { id: number; op: string; args: unknown[] };
      asked.push([op, args]);
      const ok = answer(op, args);
      c.write(`${JSON.stringify(ok === undefined ? { id, err: { kind: 'refused', code: 'ENOSYS', op, message: `no operation ${op}` } } : { id, ok })}\n`);
    });
  });
  await new Promise<void>((r) => server.listen(`${dir}/agent.sock`, r));
  try {
    await use(tmp.file(`lines-${asked.length}-${Math.random().toString(36).slice(2)}.txt`), { ...env, XGT_AGENT_DIR: dir });
  } finally {
    server.close();
  }
  return asked;
}

(built ? describe : describe.skip)('the agent', () => {
  beforeAll(() => {
    mkdirSync(devices);
    for (const d of ['privcmd', 'gntdev', 'gntalloc', 'evtchn']) writeFileSync(`${devices}/${d}`, '');
  });
  afterAll(async () => {
    await xgt(['agent', 'stop'], env);
    tmp.cleanup();
  });

  it('starts on demand, in a directory only its owner can enter', async () => {
    expect((await xgt(['agent', 'status', '--json'], env)).json).toEqual({ running: false, socket: sock });
    const r = await xgt(['gnttab', 'grant', '--to', '0', '--json'], env);
    // the request reached the agent, which asked the "device": a regular file has no ioctls
    expect(r.json.error).toMatchObject({ code: 'ENOTTY', op: 'gnttab.grant' });
    expect(r.exitCode).toBe(1);
    const s = await xgt(['agent', 'status', '--json'], env);
    expect(s.json).toMatchObject({ running: true, socket: sock, domid: 0 });
    expect(statSync(agentDir).mode & 0o777).toBe(0o700);
    expect(statSync(sock).mode & 0o777).toBe(0o600);
  }, 60000);

  it('refuses other users: they cannot even reach the socket', async () => {
    if (userInfo().uid !== 0) return void process.stderr.write('Skip: needs root to act as a second user\n');
    const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e',
      `require('net').connect(${JSON.stringify(sock)}).on('error', (e) => { console.log(e.code); process.exit(0) })
        .on('connect', () => { console.log('connected'); process.exit(0) })`], { reject: false });
    expect(r.stdout.trim()).toBe('EACCES');
  });

  it('refuses a directory others can enter', async () => {
    const open = tmp.file('open');
    mkdirSync(open, { mode: 0o755 });
    const r = await xgt(['gnttab', 'list', '--json'], { ...env, XGT_AGENT_DIR: open });
    expect(r.exitCode).toBe(3);
    expect(r.json.error.message).toMatch(/open to others.*must be 700/);
  });

  it('answers malformed requests with an error and keeps serving', async () => {
    const replies = await request(['garbage', '{"id": 7}', '{"id": 8, "op": "no.such", "args": []}', '{"id": 9, "op": "agent.status", "args": []}',
      '{"id": 10, "op": "toString", "args": []}', '{"id": 11, "op": "constructor", "args": []}']);
    const parsed = replies.map((l) => JSON.parse(l));
    expect(parsed[0].err).toMatchObject({ code: 'EINVAL' });
    expect(parsed[1]).toMatchObject({ id: 7, err: { code: 'EINVAL' } });
    expect(parsed[2]).toMatchObject({ id: 8, err: { code: 'ENOSYS' } });
    expect(parsed[3]).toMatchObject({ id: 9, ok: { pid: agentPid() } });
    // what every object inherits is no operation
    expect(parsed[4]).toMatchObject({ id: 10, err: { code: 'ENOSYS' } });
    expect(parsed[5]).toMatchObject({ id: 11, err: { code: 'ENOSYS' } });
  });

  it('natively, --as names only your own domain (usage error)', async () => {
    const r = await xgt(['--as', '3', 'gnttab', 'list'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/only act as your own domain/);
  });

  it('a command whose agent dies under it exits 3 with one line; the next command recovers from the stale socket', async () => {
    const waiting = execa('node', [BIN, 'evtchn', 'wait', '--timeout', '60000'], { env, reject: false });
    await new Promise((r) => setTimeout(r, 1500));
    const pid = agentPid();
    process.kill(pid, 'SIGKILL');
    const w = await waiting;
    expect(w.exitCode).toBe(3);
    expect(w.stderr.trim().split('\n')).toHaveLength(1);
    expect(w.stderr).toMatch(/agent closed the connection/);
    expect(statSync(sock).isSocket()).toBe(true); // left behind by the crash
    const s = await xgt(['agent', 'start', '--json'], env);
    expect(s.json).toMatchObject({ running: true, started: true });
    expect(s.json.pid).not.toBe(pid);
  }, 60000);

  it('natively, the emulator-only operations say so', async () => {
    const dma = await xgt(['mem', 'get-dma-buf', '--extents', '1', '--json'], env);
    expect(dma.exitCode).toBe(1);
    expect(dma.json.error).toMatchObject({ code: 'ENOSYS', errno: 38, message: expect.stringMatching(/never issues them/) });
    const put = await xgt(['mem', 'put-dma-buf', '--gpfn', '0', '--json'], env);
    expect(put.json.error.code).toBe('ENOSYS');
    const create = await xgt(['domain', 'create', '--name', 'x', '--json'], env);
    expect(create.json.error).toMatchObject({ code: 'EOPNOTSUPP', message: expect.stringMatching(/xl create/) });
    const destroy = await xgt(['domain', 'destroy', '3', '--json'], env);
    expect(destroy.json.error).toMatchObject({ code: 'EOPNOTSUPP', message: expect.stringMatching(/xl destroy/) });
    // domain list asks the hypervisor itself (no toolstack, even without xl on PATH): these
    // stand-in devices refuse the hypercall, as the agent reports
    const list = await xgt(['domain', 'list', '--json'], { ...env, PATH: `${process.execPath.replace(/\/node$/, '')}:/bin` });
    expect(list.exitCode).toBe(1);
    expect(list.json.error).toMatchObject({ code: 'ENOTTY', op: 'domain.list' });
    const emu = await xgt(['emu', 'reset', '--json'], env);
    expect(emu.exitCode).toBe(2);
    expect(emu.json.error.message).toMatch(/emulator only/);
  });

  it('a native batch prints what its lines print run one process each', async () => {
    const file = tmp.file('device-lines.txt');
    const lines = ['gnttab map --domid 0 8', 'gnttab unmap 0', 'evtchn notify $PORT', 'gnttab list', 'info'];
    writeFileSync(file, `${lines[0]}\n# a comment\n${lines.slice(1).join('\n')}\n`);
    const batch = await xgt(['batch', '--keep-going', file], { ...env, PORT: '5' });
    expect(batch.exitCode).toBe(1);
    const rows = batch.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.line)).toEqual([1, 3, 4, 5, 6]);
    let oneByOne = '';
    for (const l of lines) oneByOne += (await xgt([...l.replace('$PORT', '5').split(' '), '--json'], env)).stdout;
    expect(rows.map(({ line: _, ...rest }) => `${JSON.stringify(rest)}\n`).join('')).toBe(oneByOne);
    // $PORT expanded from the client's environment
    expect(rows.map((r) => r.error?.code ?? 'ok')).toEqual(['ENOTTY', 'ENOENT', 'ENOTTY', 'ENOTTY', 'ENOTTY']);
    expect(rows[2].error.message).toMatch(/NOTIFY/);
  }, 60000);

  it('sends a batch\'s calls as one list, and answers a malformed list with EINVAL', async () => {
    const replies = await request(['{"id": 1, "op": "calls.run", "args": [[{"op": "gnttab.list"}], false]}',
      '{"id": 2, "op": "calls.run", "args": [[{"op": "gnttab.list", "args": []}, {"op": "gnttab.unmap", "args": [0]}], true]}']);
    expect(JSON.parse(replies[0])).toMatchObject({ id: 1, err: { code: 'EINVAL', op: 'calls.run' } });
    const two = JSON.parse(replies[1]);
    expect(two.ok.map((o: { err?: { code: string } }) => o.err?.code)).toEqual(['ENOTTY', 'ENOENT']);
    // what a batch sends: one request for its run of calls
    const asked = await fakeAgent(async (file, agentEnv) => {
      writeFileSync(file, 'gnttab map --domid 0 8\ngnttab unmap 0\nevtchn notify 5\n');
      const r = await xgt(['batch', file], agentEnv);
      expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([
        { line: 1, port: 1 }, { line: 2, port: 2 }, { line: 3, port: 3 }]);
    }, (op, args) => (op === 'calls.run' ? (args[0] as unknown[]).map((_, k) => ({ ok: { port: k + 1 } })) : undefined));
    expect(asked).toEqual([['calls.run', [[{ op: 'gnttab.map', args: [0, [8], false] }, { op: 'gnttab.unmap', args: [0] },
      { op: 'evtchn.notify', args: [5] }], false]]]);
  }, 60000);

  it('with an agent of an earlier xgt (no lists of calls), a batch makes its calls one at a time', async () => {
    const asked = await fakeAgent(async (file, agentEnv) => {
      writeFileSync(file, 'evtchn notify 5\nevtchn notify 6\n');
      const r = await xgt(['batch', file], agentEnv);
      expect([r.exitCode, r.stdout]).toEqual([0, '{"line":1,"port":5}\n{"line":2,"port":6}\n']);
    }, (op, args) => (op === 'calls.run' ? undefined : { port: args[0] }));
    expect(asked.map(([op]) => op)).toEqual(['calls.run', 'evtchn.notify', 'evtchn.notify']);
  }, 60000);

  it('an agent whose xgt was updated under it says so', async () => {
    // a copy of the package, to update under its agent
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const pkg = tmp.file('pkg');
    for (const d of ['dist', 'bin', 'package.json']) cpSync(join(root, d), join(pkg, d), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
    mkdirSync(join(pkg, 'src/native/addon'), { recursive: true });
    symlinkSync(join(root, 'src/native/addon/build'), join(pkg, 'src/native/addon/build'));
    const updEnv = { ...env, XGT_AGENT_DIR: tmp.file('updated-agent') };
    const run = async (args: string[]) => {
      const r = await execa('node', [join(pkg, 'bin/run.js'), ...args], { reject: false, env: { NO_COLOR: '1', ...updEnv } });
      return { ...r, json: args.includes('--json') ? JSON.parse(r.stdout) : undefined };
    };
    try {
      const build = readFileSync(join(pkg, 'dist/build-id'), 'utf8').trim();
      expect((await run(['agent', 'start', '--json'])).json).toMatchObject({ running: true });
      expect((await run(['agent', 'status', '--json'])).json).toMatchObject({ running: true, build, stale: false });
      writeFileSync(join(pkg, 'dist/build-id'), 'another-build\n');
      expect((await run(['agent', 'status', '--json'])).json).toMatchObject({ running: true, build, stale: true });
    } finally {
      await run(['agent', 'stop']);
    }
  }, 60000);

  it('agent stop releases everything and says so; stopping twice is harmless', async () => {
    const pid = agentPid();
    expect((await xgt(['agent', 'stop', '--json'], env)).json).toEqual({ stopped: pid, socket: sock });
    expect((await xgt(['agent', 'stop', '--json'], env)).json).toEqual({ stopped: null, socket: sock });
    expect((await xgt(['agent', 'status', '--json'], env)).json.running).toBe(false);
  });
});
