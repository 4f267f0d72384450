/**
 * Domain names from XenStore, where a xenstored runs: `/local/domain/N/name` read over its Unix
 * socket with the store's wire protocol (a 16-byte header of type, request id, transaction id
 * and length, then the payload). Where none runs, or it does not answer in time, there are no
 * names and `domain list` says `Domain-0` / `domain-N` instead.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

const XS_READ = 2;
const XS_ERROR = 16;
const HEADER = 16;
const TIMEOUT_MS = 2000;

/** The daemon's socket: XENSTORED_PATH as libxenstore honours it, else the usual places. */
export function xenstoredSocket(): string | undefined {
  const paths = process.env.XENSTORED_PATH ? [process.env.XENSTORED_PATH] : ['/run/xenstored/socket', '/var/run/xenstored/socket'];
  return paths.find((p) => existsSync(p));
}

function request(id: number, path: string): Buffer {
  const payload = Buffer.from(`${path}\0`, 'utf8');
  const b = Buffer.alloc(HEADER + payload.length);
  b.writeUInt32LE(XS_READ, 0);
  b.writeUInt32LE(id, 4);
  b.writeUInt32LE(0, 8);
  b.writeUInt32LE(payload.length, 12);
  payload.copy(b, HEADER);
  return b;
}

/** The names XenStore holds for these domains; the ones it does not know are left out. */
export function readNames(domids: number[]): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const socket = xenstoredSocket();
  if (!socket || domids.length === 0) return Promise.resolve(names);
  return new Promise((resolve) => {
    const s = connect(socket);
    let got = Buffer.alloc(0);
    let answered = 0;
    const done = () => { s.destroy(); resolve(names); };
    s.setTimeout(TIMEOUT_MS, done);
    s.on('error', done);
    s.on('connect', () => s.write(Buffer.concat(domids.map((d, i) => request(i, `/local/domain/${d}/name`)))));
    s.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      while (got.length >= HEADER && got.length >= HEADER + got.readUInt32LE(12)) {
        const len = got.readUInt32LE(12);
        const id = got.readUInt32LE(4);
        const value = got.subarray(HEADER, HEADER + len).toString('utf8').replace(/\0$/, '');
        if (got.readUInt32LE(0) !== XS_ERROR && id < domids.length && value) names.set(domids[id], value);
        got = got.subarray(HEADER + len);
        if (++answered === domids.length) return done();
      }
    });
  });
}
