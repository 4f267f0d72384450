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
    // xl lives in /usr/sbin: without it on PATH there is no toolstack to ask
    const list = await xgt(['domain', 'list', '--json'], { ...env, PATH: `${process.execPath.replace(/\/node$/, '')}:/bin` });
    expect(list.exitCode).toBe(3);
    expect(list.json.error.message).toMatch(/no toolstack here: xl is not installed/);
    const emu = await xgt(['emu', 'reset', '--json'], env);
    expect(emu.exitCode).toBe(2);
    expect(emu.json.error.message).toMatch(/emulator only/);
  });

  it('a native batch of device lines runs in the agent and prints what the line-by-line run prints', async () => {
    const file = tmp.file('device-lines.txt');
    writeFileSync(file, 'gnttab map --domid 0 8\n# a comment\ngnttab unmap 0\nevtchn notify $PORT\ngnttab list\n');
    const run = (extra: Record<string, string>) => xgt(['batch', '--keep-going', file], { ...env, PORT: '5', XGT_BATCH_TIMING: '1', ...extra });
    const inAgent = await run({});
    const here = await run({ XGT_BATCH_IN_AGENT: '0' });
    expect(inAgent.stderr).toMatch(/run by the agent/);
    expect(here.stderr).toMatch(/run by this process/);
    expect(inAgent.stdout).toBe(here.stdout);
    expect(inAgent.exitCode).toBe(1);
    expect(here.exitCode).toBe(1);
    // $PORT expanded from the client's environment, not the agent's
    expect(inAgent.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).error)).toEqual([
      expect.objectContaining({ code: 'ENOTTY', op: 'gnttab.map' }),
      expect.objectContaining({ code: 'ENOENT', op: 'gnttab.unmap' }),
      expect.objectContaining({ code: 'ENOTTY', op: 'evtchn.notify' }),
      expect.objectContaining({ code: 'ENOTTY', op: 'gnttab.list' }),
    ]);
  }, 60000);

  it('the agent declines a script with a line that must run in the client, before running any of it', async () => {
    const file = tmp.file('mixed-lines.txt');
    writeFileSync(file, 'gnttab list\ninfo\n');
    const r = await xgt(['batch', '--keep-going', file], { ...env, XGT_BATCH_TIMING: '1' });
    expect(r.stderr).toMatch(/batch: 2 command\(s\) run.*\n.*run by this process/);
    const replies = await request(['{"id": 1, "op": "batch.run", "args": [[{"n": 1, "words": ["gnttab", "list"]}], false]}']);
    expect(JSON.parse(replies[0])).toMatchObject({ id: 1, err: { code: 'EINVAL', op: 'batch.run' } });
  }, 60000);

  it('an agent that does not take batch.run (another xgt version) leaves the lines to the client', async () => {
    const oldDir = tmp.file('old-agent');
    mkdirSync(oldDir, { mode: 0o700 });
    // an agent of the protocol before this one: batch.run wanted split lines
    const server = createServer((c) => {
      createInterface({ input: c }).on('line', (line) => {
        const { id, op } = JSON.parse(line) as { id: number; op: string };
        const err = op === 'batch.run'
          ? { kind: 'refused', code: 'EINVAL', op, message: 'lines must be [{"n": line number, "words": [strings]}]' }
          : { kind: 'refused', code: 'ENOTTY', op, message: 'an old agent' };
        c.write(`${JSON.stringify({ id, err })}\n`);
      });
    });
    await new Promise<void>((r) => server.listen(`${oldDir}/agent.sock`, r));
    try {
      const file = tmp.file('old-agent-lines.txt');
      writeFileSync(file, 'gnttab list\nevtchn notify 5\n');
      const r = await xgt(['batch', '--keep-going', file], { ...env, XGT_AGENT_DIR: oldDir, XGT_BATCH_TIMING: '1' });
      expect(r.stderr).toMatch(/run by this process/);
      expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).error)).toEqual([
        expect.objectContaining({ code: 'ENOTTY', op: 'gnttab.list', message: 'an old agent' }),
        expect.objectContaining({ code: 'ENOTTY', op: 'evtchn.notify', message: 'an old agent' }),
      ]);
    } finally {
      server.close();
    }
  }, 60000);

  it('asks for raw output, and still prints an earlier agent\'s batch output sent as JSON text', async () => {
    const dir = tmp.file('json-text-agent');
    mkdirSync(dir, { mode: 0o700 });
    const asked: unknown[] = [];
    // an agent of the build before raw parts: it ignores the fourth argument
    const server = createServer((c) => {
      createInterface({ input: c }).on('line', (line) => {
        const { id, args } = JSON.parse(line) as { id: number; args: unknown[] };
        asked.push(args[3]);
        c.write(`${JSON.stringify({ id, partial: '{"port":5}\n' })}\n${JSON.stringify({ id, partial: '{"port":6}\n' })}\n`);
        c.write(`${JSON.stringify({ id, ok: { ran: 2, firstFailure: 0 } })}\n`);
      });
    });
    await new Promise<void>((r) => server.listen(`${dir}/agent.sock`, r));
    try {
      const file = tmp.file('json-text-lines.txt');
      writeFileSync(file, 'evtchn notify 5\nevtchn notify 6\n');
      const r = await xgt(['batch', file], { ...env, XGT_AGENT_DIR: dir });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe('{"port":5}\n{"port":6}\n');
      expect(asked).toEqual([{ output: 'raw' }]);
    } finally {
      server.close();
    }
  }, 60000);

  it('an agent whose xgt was updated under it says so, and leaves its batches to the client', async () => {
    // a copy of the package, to update under its agent
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const pkg = tmp.file('pkg');
    for (const d of ['dist', 'bin', 'package.json']) cpSync(join(root, d), join(pkg, d), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
    mkdirSync(join(pkg, 'src/native/addon'), { recursive: true });
    symlinkSync(join(root, 'src/native/addon/build'), join(pkg, 'src/native/addon/build'));
    const updEnv = { ...env, XGT_AGENT_DIR: tmp.file('updated-agent'), XGT_BATCH_TIMING: '1' };
    const run = async (args: string[]) => {
      const r = await execa('node', [join(pkg, 'bin/run.js'), ...args], { reject: false, env: { NO_COLOR: '1', ...updEnv } });
      return { ...r, json: args.includes('--json') ? JSON.parse(r.stdout) : undefined };
    };
    const file = tmp.file('update-lines.txt');
    writeFileSync(file, 'gnttab list\nevtchn notify 5\n');
    try {
      const before = await run(['batch', '--keep-going', file]);
      expect(before.stderr).toMatch(/run by the agent/);
      const build = readFileSync(join(pkg, 'dist/build-id'), 'utf8').trim();
      expect((await run(['agent', 'status', '--json'])).json).toMatchObject({ running: true, build, stale: false });

      writeFileSync(join(pkg, 'dist/build-id'), 'another-build\n');
      expect((await run(['agent', 'status', '--json'])).json).toMatchObject({ running: true, build, stale: true });
      const after = await run(['batch', '--keep-going', file]);
      expect(after.stderr).toMatch(/the agent runs another build of xgt.*\n(.*\n)*.*run by this process/);
      expect(after.stdout).toBe(before.stdout);
      expect(after.exitCode).toBe(before.exitCode);
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
