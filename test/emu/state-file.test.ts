import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { EmuBackend } from '../../src/emu/backend.js';
import { exportHost, importHost, resetHost } from '../../src/emu/admin.js';
import { StateStore } from '../../src/emu/store.js';
import { SCHEMA_VERSION } from '../../src/emu/schema.js';
import { XgtError } from '../../src/errors.js';
import { sha256, tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());

function expectUnavailable(path: string, pattern: RegExp) {
  const before = sha256(path);
  let err: unknown;
  try {
    StateStore.open(path).close();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(XgtError);
  expect((err as XgtError).kind).toBe('unavailable');
  expect((err as XgtError).exitCode).toBe(3);
  expect((err as XgtError).message).toMatch(pattern);
  expect(sha256(path)).toBe(before);
}

describe('the state file', () => {
  it('is created on first use holding just Domain-0', async () => {
    const b = EmuBackend.open(tmp.file('new/dir/emu.db'), 0);
    const domains = await b.domains.list();
    b.close();
    expect(domains).toEqual([{ domid: 0, name: 'Domain-0', type: 'pv', hap: false, memory_kb: 2097152, vcpus: 1, state: 'running' }]);
  });

  it('refuses random bytes, and leaves them as they were', () => {
    const p = tmp.file('random.db');
    writeFileSync(p, randomBytes(8192));
    expectUnavailable(p, /corrupt|not an xgt/);
  });

  it('refuses an empty (truncated) file instead of treating it as new', () => {
    const p = tmp.file('empty.db');
    writeFileSync(p, '');
    expectUnavailable(p, /corrupt/);
  });

  it('refuses a truncated state file', () => {
    const p = tmp.file('trunc.db');
    StateStore.open(p).close();
    writeFileSync(p, Buffer.from(require_('fs').readFileSync(p)).subarray(0, 1000));
    expectUnavailable(p, /corrupt|cannot/);
  });

  it("refuses another program's SQLite file", () => {
    const p = tmp.file('other.db');
    const db = new Database(p);
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    db.close();
    expectUnavailable(p, /another program/);
  });

  it('refuses a state file of a newer schema version', () => {
    const p = tmp.file('newer.db');
    StateStore.open(p).close();
    const db = new Database(p);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expectUnavailable(p, new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer`));
  });

  it('round-trips a host through export and import', async () => {
    const p = tmp.file('rt.db');
    const b = EmuBackend.open(p, 0);
    const d = await b.domains.create({ name: 'g', type: 'hvm', hap: true, memory_kb: 65536, vcpus: 1, max_grant_frames: 64, max_evtchn_port: 1023 });
    const g = await b.gnttab.grant(d.domid, 2, false);
    await b.gnttab.write({ ref: g.refs[1] }, 10, Buffer.from('kept'));
    const st = b.st;
    const doc = JSON.parse(JSON.stringify(st.read(() => exportHost(st))));
    st.tx(() => resetHost(st));
    expect((await b.domains.list()).length).toBe(1);
    st.tx(() => importHost(st, doc));
    expect(st.read(() => exportHost(st))).toEqual(doc);
    expect(Buffer.from(await b.gnttab.read({ ref: g.refs[1] }, 10, 4)).toString()).toBe('kept');
    b.close();
  });

  it('an import that fails part way changes nothing', async () => {
    const p = tmp.file('badimport.db');
    const st = StateStore.open(p);
    const before = st.read(() => exportHost(st));
    const doc = JSON.parse(JSON.stringify(before));
    doc.tables.domains.push({ domid: 5, name: 'x', bogus: 1 });
    expect(() => st.tx(() => importHost(st, doc))).toThrow(/unknown column domains.bogus/);
    expect(st.read(() => exportHost(st))).toEqual(before);
    st.close();
  });
});

// jest's ESM mode has no require; a tiny shim keeps the truncation test readable
import * as fsModule from 'node:fs';
function require_(_: string) { return fsModule; }
