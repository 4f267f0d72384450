/**
 * gntdev places a mapping by the kernel's sorted first fit (XEN-FACTS A); the emulator finds the
 * place through the free pages each mapping records after it (gap_after), so that placing does
 * not walk every mapping, and checks its limits against counts kept by triggers. Here: the same
 * places as the kernel's walk over long random sequences, files of the previous schema upgraded
 * (also by several processes at once), older exports imported, and gaps on file that lie
 * corrected instead of trusted.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { EmuBackend } from '../../src/emu/backend.js';
import { exportHost, importHost } from '../../src/emu/admin.js';
import { checkHost } from '../../src/emu/check.js';
import { SCHEMA_VERSION } from '../../src/emu/schema.js';
import { StateStore } from '../../src/emu/store.js';
import { BIN } from '../helpers/cli.js';
import { XgtError } from '../../src/errors.js';
import { sha256, tmpDir } from '../helpers/tmp.js';

const PAGE = 4096;
const tmp = tmpDir();
afterAll(() => tmp.cleanup());

/** The kernel's walk (gntdev_add_map): before the first map it ends strictly before. */
function kernelPlace(maps: Map<number, number>, count: number): number {
  let page = 0;
  for (const [at, n] of [...maps].sort((a, b) => a[0] - b[0])) {
    if (page + count < at) break;
    page = at + n;
  }
  return page;
}

/** A self-granted domain 0 with `pages` refs to map. */
async function hostWithRefs(name: string, pages: number) {
  const b = EmuBackend.open(tmp.file(name), 0);
  const g = await b.gnttab.grant(0, pages, false);
  return { b, refs: g.refs };
}

/** Makes the file look as schema version 1 left it: no gaps, no usage counts (nor the later faults), version 1. */
function downgrade(path: string): void {
  const db = new Database(path);
  db.exec('DROP TABLE faults; ALTER TABLE domains DROP COLUMN paused; DROP INDEX gntdev_maps_gap; ALTER TABLE gntdev_maps DROP COLUMN gap_after');
  for (const t of ['maptrack_in', 'maptrack_out', 'gntalloc_in', 'gntalloc_out', 'gntalloc_released']) db.exec(`DROP TRIGGER ${t}`);
  db.exec('ALTER TABLE domains DROP COLUMN maptrack_used; ALTER TABLE domains DROP COLUMN gntalloc_used');
  db.pragma('user_version = 1');
  db.close();
}

describe('gntdev placement', () => {
  it('puts every mapping where the kernel would, through long runs of maps and unmaps', async () => {
    const { b, refs } = await hostWithRefs('random.db', 64);
    const maps = new Map<number, number>(); // page -> count
    let seed = 7;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let step = 0; step < 400; step++) {
      if (maps.size > 0 && (rand(3) === 0 || maps.size > 40)) {
        const pages = [...maps.keys()];
        const page = pages[rand(pages.length)];
        await b.gnttab.unmap(page * PAGE);
        maps.delete(page);
      } else {
        const count = 1 + rand(4);
        const want = kernelPlace(maps, count);
        const got = await b.gnttab.map(0, refs.slice(0, count), false);
        expect(got.index).toBe(want * PAGE);
        maps.set(want, count);
      }
      if (step % 50 === 0) expect(checkHost(b.st)).toEqual([]);
    }
    expect(checkHost(b.st)).toEqual([]);
    b.close();
  });

  it('corrects gaps on file that lie, instead of mapping over another mapping', async () => {
    const { b, refs } = await hostWithRefs('lying.db', 8);
    for (let i = 0; i < 4; i++) await b.gnttab.map(0, [refs[i]], false);
    // the first mapping claims free pages after it: a trusting walk would place the next at page 1
    b.st.db.exec('UPDATE gntdev_maps SET gap_after = 10 WHERE page = 0');
    expect((await b.gnttab.map(0, [refs[4]], false)).index).toBe(4 * PAGE);
    expect(checkHost(b.st)).toEqual([]);
    // and the last mapping claiming another after it: no room anywhere, by the gaps
    b.st.db.exec('UPDATE gntdev_maps SET gap_after = 0 WHERE page = 4');
    expect((await b.gnttab.map(0, [refs[5]], false)).index).toBe(5 * PAGE);
    expect(checkHost(b.st)).toEqual([]);
    b.close();
  });
});

describe('a state file of the previous schema', () => {
  /** Maps at pages 0, 2 and 3 (a one-page hole at 1) on a file then downgraded to version 1. */
  async function previousSchemaFile(name: string) {
    const { b, refs } = await hostWithRefs(name, 8);
    for (let i = 0; i < 4; i++) await b.gnttab.map(0, [refs[i]], false);
    await b.gnttab.unmap(PAGE);
    b.close();
    downgrade(tmp.file(name));
    return refs;
  }

  it('is upgraded when opened, and maps as before', async () => {
    const refs = await previousSchemaFile('v1.db');
    const b = EmuBackend.open(tmp.file('v1.db'), 0);
    expect(b.st.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(checkHost(b.st)).toEqual([]);
    // counted when upgraded: 8 grants held, 3 pages mapped
    expect(b.st.get('SELECT gntalloc_used, maptrack_used FROM domains WHERE domid = 0')).toEqual({ gntalloc_used: 8, maptrack_used: 3 });
    // a one-page hole is not taken by a one-page mapping, two pages go after the last
    expect((await b.gnttab.map(0, [refs[4]], false)).index).toBe(4 * PAGE);
    await b.gnttab.unmap(2 * PAGE);
    expect((await b.gnttab.map(0, [refs[5]], false)).index).toBe(1 * PAGE);
    expect(checkHost(b.st)).toEqual([]);
    b.close();
  });

  it('is upgraded once when several processes open it at the same moment', async () => {
    await previousSchemaFile('v1-many.db');
    const runs = await Promise.all(Array.from({ length: 4 }, () => execa('node', [BIN, 'gnttab', 'list', '--json'],
      { env: { XGT_STATE: tmp.file('v1-many.db'), NO_COLOR: '1' }, reject: false })));
    for (const r of runs) {
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout).mapped.map((m: { index: number }) => m.index)).toEqual([0, 2 * PAGE, 3 * PAGE]);
    }
    const st = StateStore.open(tmp.file('v1-many.db'));
    expect(st.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(checkHost(st)).toEqual([]);
    st.close();
  });

  it('that cannot be upgraded is refused in one line, and left as it was', async () => {
    await previousSchemaFile('v1-odd.db');
    // a file that claims version 1 but already has the column the upgrade adds
    const db = new Database(tmp.file('v1-odd.db'));
    db.exec('ALTER TABLE gntdev_maps ADD COLUMN gap_after INTEGER');
    db.close();
    const before = sha256(tmp.file('v1-odd.db'));
    let err: unknown;
    try {
      StateStore.open(tmp.file('v1-odd.db')).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XgtError);
    expect((err as XgtError).exitCode).toBe(3);
    expect((err as XgtError).message).toMatch(/cannot be used \(duplicate column name: gap_after\): it has schema version 1, which this xgt upgrades to \d+ in place, and could not$/);
    expect(sha256(tmp.file('v1-odd.db'))).toBe(before);
  });

  it('exports something this xgt imports, gaps counted again', async () => {
    await previousSchemaFile('v1-export.db');
    // an export as the previous xgt wrote it: its version, no gap_after
    const old = new Database(tmp.file('v1-export.db'), { readonly: true });
    const maps = old.prepare('SELECT * FROM gntdev_maps').all() as Record<string, unknown>[];
    old.close();
    expect(maps[0]).not.toHaveProperty('gap_after');
    const st = StateStore.open(tmp.file('v1-export.db'));
    const doc = JSON.parse(JSON.stringify(st.read(() => exportHost(st))));
    st.close();
    doc.version = 1;
    doc.tables.gntdev_maps = maps;
    const target = StateStore.open(tmp.file('import-target.db'));
    target.tx(() => importHost(target, doc));
    expect(checkHost(target)).toEqual([]);
    expect(target.all('SELECT page, gap_after FROM gntdev_maps ORDER BY page')).toEqual([
      { page: 0, gap_after: 1 }, { page: 2, gap_after: 0 }, { page: 3, gap_after: null }]);
    target.close();
  });
});
