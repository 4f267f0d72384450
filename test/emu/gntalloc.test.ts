import { describe, expect, it } from '@jest/globals';
import { expectRefused } from '../contract/expect.js';
import { freshHostPerTest } from '../helpers/emu-host.js';
import { checkHost } from '../../src/emu/check.js';

const host = freshHostPerTest();

describe("gntalloc's choice of pages", () => {
  it('takes free frames below the held ones, then the holes ungranted runs left; ENOMEM when none are left', async () => {
    const d = await host.create({ memory_kb: 1024 }); // 256 frames
    const g = host.as(d).gnttab;
    const gfns = () => host.dom0.st.all<{ gfn: number }>('SELECT gfn FROM gntalloc WHERE domid = ? ORDER BY gfn', d).map((r) => r.gfn);
    await g.grant(0, 100, false);
    const middle = await g.grant(0, 100, false);
    const last = await g.grant(0, 50, false);
    expect(gfns()).toEqual(Array.from({ length: 250 }, (_, k) => 6 + k));
    await g.write({ ref: last.refs[0] }, 0, Buffer.from('kept'));
    await g.ungrant(middle.index);

    // (the first run took frames 156-255, the middle one 56-155, the last 6-55)
    // 6 frames below the lowest held one, then 44 from the hole, highest first
    const refill = await g.grant(0, 50, false);
    const held = gfns();
    expect(new Set(held).size).toBe(held.length);
    expect(held.filter((x) => x < 6)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(held.filter((x) => x >= 56 && x < 156)).toEqual(Array.from({ length: 44 }, (_, k) => 112 + k));
    // a page handed out again is zeroed, and no two grants share a frame
    expect(Buffer.from(await g.read({ ref: refill.refs[49] }, 0, 4))).toEqual(Buffer.alloc(4));
    expect(Buffer.from(await g.read({ ref: last.refs[0] }, 0, 4)).toString()).toBe('kept');

    const before = gfns();
    // (Linux keeps the index it advanced: only the pages and refs are rolled back)
    await expectRefused(g.grant(0, 57, false), 'ENOMEM');
    expect(gfns()).toEqual(before);
    await g.grant(0, 56, false);
    expect(gfns()).toEqual(Array.from({ length: 256 }, (_, k) => k));
    expect(checkHost(host.dom0.st)).toEqual([]);
  });
});
