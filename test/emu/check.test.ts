import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmuBackend } from '../../src/emu/backend.js';
import { checkHost } from '../../src/emu/check.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
let dom0: EmuBackend;
let guest: EmuBackend;

beforeAll(async () => {
  dom0 = EmuBackend.open(tmp.file('busy.db'), 0);
  const { domid } = await dom0.domains.create({ name: 'g', type: 'hvm', hap: true, memory_kb: 16384, vcpus: 1, max_grant_frames: 64, max_evtchn_port: 1023 });
  guest = EmuBackend.open(dom0.st.path, domid);
  const g = await dom0.gnttab.grant(domid, 3, false);
  await guest.gnttab.map(0, g.refs.slice(0, 2), false);
  await guest.gnttab.map(0, [g.refs[2]], true);
  await dom0.gnttab.ungrant(g.index); // deferred: all three are mapped
  const gp = (await guest.evtchn.bindUnbound(0)).port;
  const mine = (await dom0.evtchn.bindInterdomain(domid, gp)).port;
  await dom0.evtchn.notify(mine);
  const s = await dom0.dmop.createIoreqServer(domid, 'off');
  await dom0.dmop.mapMemType(domid, s.id, 4, 2);
  await dom0.dmop.setMemType(domid, 4, 0x10, 3);
  await dom0.mem.getDmaBuf(domid, 2, 2, 32, 0x100);
});
afterAll(() => { guest.close(); dom0.close(); tmp.cleanup(); });

const corrupt = (sql: string) => {
  const st = dom0.st;
  st.db.exec('SAVEPOINT c');
  try {
    st.db.exec(sql);
    return checkHost(st).map((v) => v.check);
  } finally {
    st.db.exec('ROLLBACK TO c; RELEASE c');
  }
};

describe('emu check', () => {
  it('finds a busy host clean', () => {
    expect(checkHost(dom0.st)).toEqual([]);
  });

  it.each([
    ['UPDATE grants SET pin_write = pin_write + 1 WHERE ref = 8', 'pin counts (GTF_reading/GTF_writing) match the mappings'],
    ["UPDATE grants SET to_domid = 7 WHERE ref = 8", 'mapping pins a grant that permits it'],
    ['DELETE FROM gntdev_pages WHERE pos = 1', 'every mapping has its pages'],
    ['UPDATE gntdev_maps SET gap_after = 5 WHERE page = 0', "each mapping's gap_after is the free pages up to the next mapping"],
    ['UPDATE domains SET gntalloc_used = gntalloc_used + 1 WHERE domid = 0', "each domain's usage counts match its mappings and grants"],
    ['DELETE FROM grants WHERE ref = 9', 'every gntalloc page is granted'],
    ['UPDATE grants SET pin_read = 0, pin_write = 0 WHERE ref = 10', 'a deallocated grant lingers only while it is mapped'],
    ['INSERT INTO grant_free (domid, pos, ref) VALUES (0, 99, 8)', 'free grant refs are free and within the table'],
    ["UPDATE evtchn SET remote_port = 77 WHERE state = 'interdomain' AND domid = 0", 'interdomain peers point back'],
    ['UPDATE evtchn SET enabled = 1 WHERE domid != 0', 'pending and masked only on bound ports'],
    ['DELETE FROM ioreq_servers', 'memory-type claims belong to live servers'],
    ['UPDATE pinned_extents SET mfn = mfn + 4', 'pinned extents are aligned, contiguous and owned'],
    ['INSERT INTO free_mfns (first_mfn, count) SELECT first_mfn, 1 FROM p2m WHERE domid = 0 LIMIT 1', 'no frame is both free and owned, or owned twice'],
    ['UPDATE p2m SET first_gfn = first_gfn + 1 WHERE domid = 1 AND first_gfn = 0', 'guest frames are mapped once, from 0 up'],
    ["UPDATE domains SET state = 'dying' WHERE domid = 1", 'a dying domain is kept only by mappings of its grants'],
    ["INSERT INTO evtchn (domid, port, state) VALUES (42, 1, 'unbound')", 'rows belong to existing domains'],
  ])('catches %s', (sql, check) => {
    expect(corrupt(sql)).toContain(check);
  });
});
