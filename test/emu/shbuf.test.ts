import { afterAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { EmuBackend } from '../../src/emu/backend.js';
import { shbufAlloc, shbufFill, shbufMap } from '../../src/shbuf/shbuf.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function twoDomains(name: string) {
  const dom0 = EmuBackend.open(tmp.file(name), 0);
  const { domid } = await dom0.domains.create({
    name: 'front', type: 'hvm', hap: true, memory_kb: 64 * 1024, vcpus: 1, max_grant_frames: 64, max_evtchn_port: 1023,
  });
  const front = EmuBackend.open(dom0.st.path, domid);
  return { dom0, front, close: () => { front.close(); dom0.close(); } };
}

describe('a 5,000-page buffer between two domains', () => {
  it('frontend-allocated: round-trips its data both ways', async () => {
    const { dom0, front, close } = await twoDomains('fe.db');
    await front.gnttab.limits({ gntalloc: 8192 });
    const s = await shbufAlloc(front, 0, 5000, false);
    expect(s.dir_refs).toHaveLength(5);
    const data = randomBytes(5000 * 4096);
    await front.gnttab.write({ ref: s.refs[0] }, 0, data);
    const m = await shbufMap(dom0, front.domid, s.dir_ref, 5000, false);
    expect(m.refs).toEqual(s.refs);
    expect(sha(await dom0.gnttab.read({ index: m.index }, 0))).toBe(sha(data));
    const reply = randomBytes(4096 * 3);
    await dom0.gnttab.write({ index: m.index }, 4997 * 4096, reply);
    expect(Buffer.from(await front.gnttab.read({ ref: s.refs[4997] }, 0)).equals(reply)).toBe(true);
    await dom0.gnttab.unmap(m.index);
    await front.gnttab.ungrant(s.index);
    expect((await front.gnttab.list()).usage.gntalloc_used).toBe(0);
    close();
  }, 120000);

  it('backend-allocated: the backend fills the directory and the frontend maps its pages', async () => {
    const { dom0, front, close } = await twoDomains('be.db');
    await dom0.gnttab.limits({ gntalloc: 8192 });
    const s = await shbufAlloc(front, 0, 5000, true);
    const f = await shbufFill(dom0, front.domid, s.dir_ref, 5000);
    const m = await shbufMap(front, 0, s.dir_ref, 5000, true);
    expect(m.refs).toEqual(f.refs);
    const data = randomBytes(5000 * 4096);
    await front.gnttab.write({ index: m.index }, 0, data);
    expect(sha(await dom0.gnttab.read({ ref: f.refs[0] }, 0))).toBe(sha(data));
    close();
  }, 120000);
});
