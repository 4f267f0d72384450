/** Commands run in this process (oclif's runCommand): the returned result is what --json prints. */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runCommand } from '@oclif/test';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = tmpDir();
afterAll(() => tmp.cleanup());
let state = '';
let n = 0;
const run = (args: string[]) => runCommand([...args, '--state', state], { root });

beforeEach(() => {
  state = tmp.file(`c${n++}.db`);
});

describe('commands in-process', () => {
  it('gnttab grant returns the grant', async () => {
    const { result, error } = await run(['gnttab', 'grant', '--to', '0', '--pages', '3', '--readonly']);
    expect(error).toBeUndefined();
    expect(result).toEqual({ domid: 0, to: 0, index: 0, refs: [8, 9, 10], readonly: true });
  });

  it('gnttab map, list and unmap', async () => {
    await run(['gnttab', 'grant', '--to', '0', '--pages', '2']);
    const { result: map } = await run(['gnttab', 'map', '--domid', '0', '8', '9', '--readonly']);
    expect(map).toEqual({ index: 0, domid: 0, refs: [8, 9], count: 2, readonly: true });
    const { result: list, stdout } = await run(['gnttab', 'list']);
    expect(list).toMatchObject({ mapped: [{ index: 0, domid: 0, refs: [8, 9], readonly: true }] });
    expect(stdout).toMatch(/domid=0: nr_frames=1, max_nr_frames=64/);
    const { result: unmap } = await run(['gnttab', 'unmap', '0']);
    expect(unmap).toEqual({ index: 0, domid: 0, refs: [8, 9], count: 2 });
  });

  it('gnttab write then read in hex and base64', async () => {
    await run(['gnttab', 'grant', '--to', '0']);
    expect((await run(['gnttab', 'write', '--ref', '8', '--offset', '4095', '--hex', 'ab'])).result).toEqual({ written: 1 });
    expect((await run(['gnttab', 'read', '--ref', '8', '--offset', '4094', '--length', '2', '--format', 'hex'])).stdout).toBe('00ab\n');
    expect((await run(['gnttab', 'read', '--ref', '8', '--offset', '4094', '--length', '2'])).stdout)
      .toBe(`00000ffe  00 ab${' '.repeat(45)}|..|\n00001000\n`);
    expect((await run(['gnttab', 'read', '--ref', '8', '--offset', '4094', '--format', 'base64'])).result)
      .toEqual({ data: 'AKs=', encoding: 'base64', length: 2 });
  });

  it('a refusal sets exit code 1 and prints one line', async () => {
    const { stderr } = await run(['gnttab', 'unmap', '4096']);
    expect(stderr).toBe('xgt: gnttab.unmap: ENOENT: domain 0 has no mapping at index 4096\n');
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  });

  it('domain create, list and destroy', async () => {
    const { result: d } = await run(['domain', 'create', '--name', 'g1', '--type', 'pvh', '--memory', '128M', '--vcpus', '2']);
    expect(d).toEqual({
      domid: 1, name: 'g1', type: 'pvh', hap: true, memory_kb: 131072, vcpus: 2, state: 'running',
      max_grant_frames: 64, max_evtchn_port: 1023, dm_target: null,
    });
    expect(((await run(['domain', 'list'])).result as { domains: unknown[] }).domains).toHaveLength(2);
    expect((await run(['domain', 'destroy', '1'])).result).toEqual({ domid: 1, state: 'destroyed' });
  });

  it('info names the backend, the acting domain and the state file', async () => {
    const { result } = await run(['info', '--backend', 'emu', '--as', '0']);
    expect(result).toMatchObject({ backend: 'emu', domid: 0, state, features: { map_multiple: true }, limits: { gntalloc_limit: 1024 } });
  });
});
