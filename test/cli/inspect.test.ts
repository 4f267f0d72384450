/**
 * The inspection commands as a user meets them on the emulator: `top` (a snapshot, and a table
 * that refreshes on a terminal), `gnttab copy` (bytes in and out, errors in one line) and the
 * own-table note of `gnttab list`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { BIN, xgt } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());
const env = { XGT_STATE: tmp.file('inspect.db') };

beforeAll(async () => {
  await xgt(['domain', 'create', '--name', 'front'], env);
  await xgt(['--as', '1', 'gnttab', 'grant', '--to', '0', '--pages', '2'], env);
  await xgt(['gnttab', 'map', '--domid', '1', '9', '--readonly'], env);
  await xgt(['--as', '1', 'evtchn', 'bind', '--unbound', '--remote', '0'], env);
});

describe('xgt top', () => {
  it('prints one snapshot as JSON: the guest row counts its grants and their use, ours says null', async () => {
    const r = await xgt(['top', '--json'], env);
    expect(r.exitCode).toBe(0);
    expect(r.json.domains).toEqual([
      { domid: 0, name: 'Domain-0', type: 'pv', grant_frames: 1, max_grant_frames: 64, grants: null, grants_mapped: null,
        maps: 1, ports: expect.any(Number), max_port: expect.any(Number) },
      { domid: 1, name: 'front', type: 'hvm', grant_frames: 1, max_grant_frames: 64, grants: 2, grants_mapped: 1,
        maps: 0, ports: 2, max_port: 2 }, // its kernel's timer virq and the channel bound
    ]);
  });

  it('prints one table when stdout is not a terminal, with ? where Xen shows nothing', async () => {
    const r = await xgt(['top', '--iterations', '3'], env);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+Name\s+Type\s+Frames\s+Max frames\s+Grants\s+Mapped\s+Maps\s+Ports\s+Max port$/);
    expect(lines[1]).toMatch(/^\s*0\s+Domain-0\s+pv\s+1\s+64\s+\?\s+\?\s+1\s+/);
    expect(lines[2]).toMatch(/^\s*1\s+front\s+hvm\s+1\s+64\s+2\s+1\s+0\s+2\s+2$/);
    expect(lines).toHaveLength(3);
  });

  it('refreshes on a terminal every --delay until --iterations are done', async () => {
    const cmd = `${process.execPath} ${BIN} top --delay 1 --iterations 2`;
    const r = await execa('script', ['-qec', cmd, '/dev/null'], { env: { ...env, NO_COLOR: '1' }, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\u001b[H\u001b[2J')).toHaveLength(3); // two screens
    expect(r.stdout.match(/Domain-0/g)).toHaveLength(2);
  });

  it('refuses a --delay of 0 in one line', async () => {
    const r = await xgt(['top', '--delay', '0'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('xgt: top: usage error: --delay: 0 is out of range (1 to 3600)\n');
  });
});

describe('xgt gnttab copy', () => {
  it('copies into and out of a guest grant: a hexdump by default, raw bytes on request', async () => {
    const w = await xgt(['gnttab', 'copy', '--domid', '1', '--to-ref', '8', '--offset', '16', '--data', 'via copy', '--json'], env);
    expect(w.json).toEqual({ copied: 8 });
    const raw = await xgt(['gnttab', 'copy', '--domid', '1', '--from-ref', '8', '--offset', '16', '--length', '8', '--format', 'raw'], env);
    expect(raw.stdout).toBe('via copy');
    const dump = await xgt(['gnttab', 'copy', '--domid', '1', '--from-ref', '8', '--offset', '16', '--length', '8'], env);
    expect(dump.stdout).toBe('00000010  76 69 61 20 63 6f 70 79                           |via copy|\n00000018\n');
    // the guest reads it through its own grant
    const back = await xgt(['--as', '1', 'gnttab', 'read', '--ref', '8', '--offset', '16', '--length', '8', '--format', 'raw'], env);
    expect(back.stdout).toBe('via copy');
  });

  it('reports a refusal with its GNTST code, and a missing direction as a usage error', async () => {
    const r = await xgt(['gnttab', 'copy', '--domid', '1', '--from-ref', '8', '--offset', '4000', '--length', '200', '--json'], env);
    expect(r.exitCode).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'EINVAL', op: 'gnttab.copy', gntst: -10, gntst_name: 'GNTST_bad_copy_arg' });
    const u = await xgt(['gnttab', 'copy', '--domid', '1'], env);
    expect(u.exitCode).toBe(2);
    expect(u.stderr).toBe('xgt: gnttab.copy: usage error: one of --from-ref or --to-ref is required\n');
  });
});

describe('xgt gnttab list', () => {
  it("says in one line what Xen does not show of a domain's own table, and shows frames in hex", async () => {
    const own = await xgt(['--as', '1', 'gnttab', 'list'], env);
    expect(own.stdout.trimEnd().split('\n').pop()).toMatch(/^note: Xen shows no domain its own grant table/);
    const guest = await xgt(['gnttab', 'list', '--domid', '1'], env);
    expect(guest.stdout).toMatch(/ 9 +0 +read-write +r +0x[0-9a-f]+\n/);
    expect(guest.stdout).not.toMatch(/note:/);
  });
});
