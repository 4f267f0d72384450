/**
 * Domain names from XenStore (src/native/agent/xenstore.ts), against a stand-in xenstored on a
 * Unix socket that speaks the store's wire protocol: names it knows, errors for the others, and
 * nothing at all when no daemon runs or it does not answer.
 */
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import { readNames } from '../../src/native/agent/xenstore.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());
let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
  delete process.env.XENSTORED_PATH;
});

const XS_READ = 2;
const XS_ERROR = 16;

/** A xenstored holding `store`; answers each request as it completes, split across writes to test reassembly. */
function fakeXenstored(path: string, store: Record<string, string>, silent = false): Promise<string[]> {
  const asked: string[] = [];
  return new Promise((resolve) => {
    server = createServer((c) => {
      let got = Buffer.alloc(0);
      c.on('data', (chunk) => {
        got = Buffer.concat([got, chunk]);
        while (got.length >= 16 && got.length >= 16 + got.readUInt32LE(12)) {
          const len = got.readUInt32LE(12);
          const type = got.readUInt32LE(0);
          const id = got.readUInt32LE(4);
          const key = got.subarray(16, 16 + len).toString().replace(/\0$/, '');
          got = got.subarray(16 + len);
          asked.push(key);
          if (silent) continue;
          const known = type === XS_READ && key in store;
          const body = Buffer.from(known ? store[key] : 'ENOENT\0');
          const h = Buffer.alloc(16);
          h.writeUInt32LE(known ? XS_READ : XS_ERROR, 0);
          h.writeUInt32LE(id, 4);
          h.writeUInt32LE(body.length, 12);
          const reply = Buffer.concat([h, body]);
          c.write(reply.subarray(0, 5));
          c.write(reply.subarray(5));
        }
      });
    });
    server.listen(path, () => resolve(asked));
  });
}

describe('domain names from XenStore', () => {
  it('reads /local/domain/N/name for every domain, leaving out those it does not know', async () => {
    process.env.XENSTORED_PATH = tmp.file('xs.sock');
    const asked = await fakeXenstored(process.env.XENSTORED_PATH, { '/local/domain/0/name': 'Domain-0', '/local/domain/3/name': 'netfront-vm' });
    const names = await readNames([0, 1, 3]);
    expect([...names]).toEqual([[0, 'Domain-0'], [3, 'netfront-vm']]);
    expect(asked).toEqual(['/local/domain/0/name', '/local/domain/1/name', '/local/domain/3/name']);
  });

  it('gives no names where no xenstored runs', async () => {
    process.env.XENSTORED_PATH = tmp.file('absent.sock');
    expect((await readNames([0, 1])).size).toBe(0);
  });

  it('gives up on a xenstored that does not answer, with no names', async () => {
    process.env.XENSTORED_PATH = tmp.file('mute.sock');
    await fakeXenstored(process.env.XENSTORED_PATH, {}, true);
    expect((await readNames([0])).size).toBe(0);
  }, 10000);
});
