import { describe, expect, it } from '@jest/globals';
import { freshHostPerTest } from '../helpers/emu-host.js';
import { PAGE_SIZE } from '../../src/xen.js';

const host = freshHostPerTest();

/** A small deterministic generator, so that a failure can be replayed. */
function lcg(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
}

describe('page contents', () => {
  it('read back what random writes left, across page boundaries, zeros included; all-zero pages are not stored', async () => {
    const pages = 3;
    const g = host.dom0.gnttab;
    const run = await g.grant(1, pages, false);
    const model = Buffer.alloc(pages * PAGE_SIZE);
    const rnd = lcg(7);
    for (let i = 0; i < 400; i++) {
      const offset = rnd(model.length);
      const length = 1 + rnd(Math.min(model.length - offset, i % 5 === 0 ? 2 * PAGE_SIZE : 64));
      // a plain Uint8Array, as well as Buffers; some writes all zeros, which may empty a page
      const data = new Uint8Array(length);
      if (i % 3 !== 0) for (let k = 0; k < length; k++) data[k] = rnd(256);
      await g.write({ ref: run.refs[0] }, offset, data);
      model.set(data, offset);
      if (i % 25 === 0) {
        const start = rnd(model.length);
        const len = rnd(model.length - start);
        expect(Buffer.from(await g.read({ ref: run.refs[0] }, start, len))).toEqual(model.subarray(start, start + len));
      }
    }
    expect(Buffer.from(await g.read({ ref: run.refs[0] }, 0))).toEqual(model);
    // zero the middle page completely: its row goes
    const stored = () => host.dom0.st.get<{ n: number }>('SELECT count(*) AS n FROM frames')!.n;
    const before = stored();
    await g.write({ ref: run.refs[1] }, 0, Buffer.alloc(PAGE_SIZE));
    expect(stored()).toBe(before - 1);
    expect(Buffer.from(await g.read({ ref: run.refs[1] }, 0, PAGE_SIZE))).toEqual(Buffer.alloc(PAGE_SIZE));
    // and the blobs stay blobs of a whole page
    const kinds = host.dom0.st.all<{ t: string; n: number }>('SELECT typeof(data) AS t, length(data) AS n FROM frames');
    expect(kinds.every((k) => k.t === 'blob' && k.n === PAGE_SIZE)).toBe(true);
  });
});
