/**
 * The CLI writes its output with write(2) (src/cli/stdio.ts) and decides colour without Node's tty
 * module when it can (src/cli/output.ts): colour still on a terminal only, every byte still
 * arrives in order when the descriptor is non-blocking, and a reader that went away costs no
 * crash.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { colourEnabled } from '../../src/cli/output.js';
import { BIN, xgt } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());
const ESC = '\u001b[';

describe('colour', () => {
  it('is off for a pipe, a file and /dev/null, whatever the environment says', () => {
    const env = { TERM: 'xterm' };
    // fd 1 and 2 of a jest worker are pipes
    expect(colourEnabled(1, env)).toBe(false);
    for (const path of [tmp.file('out.txt'), '/dev/null']) {
      const fd = openSync(path, 'w');
      try {
        expect(colourEnabled(fd, env)).toBe(false);
      } finally {
        closeSync(fd);
      }
    }
  });

  it('is on for a terminal (run under script(1)), and off there with NO_COLOR or TERM=dumb', async () => {
    const state = tmp.file('colour.db');
    await xgt(['gnttab', 'grant', '--to', '0'], { XGT_STATE: state });
    const onTerminal = async (env: Record<string, string>, args: string) => {
      const cmd = `${process.execPath} ${BIN} ${args}`;
      const r = await execa('script', ['-qec', cmd, '/dev/null'], {
        env: { PATH: process.env.PATH, XGT_STATE: state, TERM: 'xterm', ...env }, extendEnv: false, reject: false,
      });
      return r.stdout;
    };
    const table = await onTerminal({}, 'gnttab list');
    expect(table).toContain(`${ESC}1mgranted`);
    expect(await onTerminal({}, 'evtchn notify 999')).toContain(`${ESC}31mxgt:`);
    // an error before any command runs (oclif's path) is coloured the same
    expect(await onTerminal({}, 'bogus')).toContain(`${ESC}31mxgt:`);
    expect(await onTerminal({ NO_COLOR: '1' }, 'gnttab list')).not.toContain(ESC);
    expect(await onTerminal({ TERM: 'dumb' }, 'evtchn notify 999')).not.toContain(ESC);
  });
});

describe('output', () => {
  it('arrives whole and in order on a non-blocking pipe that fills up', async () => {
    // the child makes its stdout non-blocking (a net.Socket on fd 1 does), then writes 4 MiB
    // through writeOut in numbered lines while nobody reads
    const stdio = fileURLToPath(new URL('../../dist/cli/stdio.js', import.meta.url));
    const script = `
      new (require('node:net').Socket)({ fd: 1, readable: false, writable: true });
      import(${JSON.stringify(stdio)}).then(({ writeDirectly, writeOut }) => {
        writeDirectly();
        for (let i = 0; i < 65536; i++) writeOut(String(i).padStart(63, '.') + '\\n');
      });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    await new Promise((r) => setTimeout(r, 500));
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    const code = await new Promise((r) => child.on('close', r));
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = Buffer.concat(chunks).toString().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(65536);
    expect(lines.every((l, i) => l === String(i).padStart(63, '.'))).toBe(true);
  });

  // through the fast path (write(2)) and through oclif (Node's streams) alike
  it.each([['1'], ['0']])('goes nowhere, quietly, once its reader has gone (XGT_FAST_PATH=%s)', async (fastPath) => {
    const state = tmp.file(`epipe${fastPath}.db`);
    await xgt(['gnttab', 'grant', '--to', '0', '--pages', '300'], { XGT_STATE: state });
    const withoutReader = async (args: string[]) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { ...process.env, XGT_STATE: state, XGT_FAST_PATH: fastPath }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      const code = await new Promise((r) => child.on('close', r));
      return { code, err };
    };
    expect(await withoutReader(['gnttab', 'list', '--json'])).toEqual({ code: 0, err: '' });
    // the command keeps its own exit code
    expect(await withoutReader(['evtchn', 'notify', '999', '--json'])).toEqual({ code: 1, err: '' });
  });
});
