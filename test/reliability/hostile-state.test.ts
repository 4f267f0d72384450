/**
 * Hostile state files, beyond the corrupt and foreign ones of test/cli: a file or directory
 * that cannot be written, and a full disk. Always exit 3 with one clear line, and the file is
 * never modified or replaced. Mounting needs root; without it the test says "Skip:".
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { sha256, tmpDir } from '../helpers/tmp.js';
import { BIN, xgt } from '../helpers/cli.js';

const root = userInfo().uid === 0;
if (!root) process.stderr.write('Skip: mounting a read-only or full filesystem needs root\n');
const tmp = tmpDir('xgt-hostile-');
const mnt = tmp.file('mnt');
afterAll(async () => {
  await execa('umount', [mnt], { reject: false });
  tmp.cleanup();
});

function expectOneLine3(r: { exitCode: number; stderr: string }, pattern: RegExp) {
  expect(r.exitCode).toBe(3);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

(root ? describe : describe.skip)('hostile state files', () => {
  beforeAll(() => {
    mkdirSync(mnt);
    chmodSync(tmp.dir, 0o755);
  });

  it('a read-only filesystem: exit 3, the file untouched', async () => {
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
    const env = { XGT_STATE: `${mnt}/ro.db` };
    await xgt(['gnttab', 'grant', '--to', '0'], env);
    await execa('mount', ['-o', 'remount,ro', mnt]);
    const before = sha256(env.XGT_STATE);
    for (const args of [['gnttab', 'grant', '--to', '0'], ['domain', 'create', '--name', 'x'], ['emu', 'reset']]) {
      expectOneLine3(await xgt(args, env), /state file .* (is read-only|cannot be)/);
    }
    expect(sha256(env.XGT_STATE)).toBe(before);
    const fresh = await xgt(['info'], { XGT_STATE: `${mnt}/new/emu.db` });
    expectOneLine3(fresh, /cannot create/);
    await execa('umount', [mnt]);
  });

  it('a file only another user may write: exit 3 for that user, the file untouched', async () => {
    const dir = tmp.file('shared');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const state = `${dir}/emu.db`;
    await xgt(['gnttab', 'grant', '--to', '0'], { XGT_STATE: state });
    const before = sha256(state);
    const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', BIN, 'gnttab', 'grant', '--to', '0'],
      { env: { XGT_STATE: state, NO_COLOR: '1', PATH: process.env.PATH, HOME: '/tmp' }, reject: false });
    expectOneLine3({ exitCode: r.exitCode ?? -1, stderr: r.stderr }, /state file .*(read-only|cannot be)/);
    expect(sha256(state)).toBe(before);
  });

  it('a full disk: exit 3, the state as it was and still usable once there is room', async () => {
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    const env = { XGT_STATE: `${mnt}/full.db` };
    await xgt(['gnttab', 'grant', '--to', '0', '--pages', '400'], env);
    const filler = `${mnt}/filler`;
    // take nearly all that is left, then write a few hundred KiB of page data
    const free = Number((await execa('df', ['--output=avail', '-B1', mnt])).stdout.split('\n')[1].trim());
    writeFileSync(filler, Buffer.alloc(Math.max(0, free - 64 * 1024)));
    const data = tmp.file('big.bin');
    writeFileSync(data, Buffer.alloc(400 * 4096, 0x5a));
    const before = (await xgt(['emu', 'export'], env)).stdout;
    const r = await xgt(['gnttab', 'write', '--ref', '8', '--file', data], env);
    expectOneLine3(r, /disk is full|cannot be written/);
    writeFileSync(filler, '');
    expect((await xgt(['emu', 'export'], env)).stdout).toBe(before);
    expect((await xgt(['emu', 'check', '--json'], env)).json).toMatchObject({ clean: true });
    expect((await xgt(['gnttab', 'write', '--ref', '8', '--data', 'room again', '--json'], env)).json).toEqual({ written: 10 });
    expect((await xgt(['gnttab', 'read', '--ref', '8', '--length', '10', '--format', 'raw'], env)).stdout).toBe('room again');
    await execa('umount', [mnt]);
  });
});
