/**
 * The per-user agent: holds the /dev/xen file descriptors (the kernel drops mappings and
 * bindings when they close) and serves one JSON request per line on a Unix socket in a
 * directory only its owner can enter. A malformed request gets an error reply; the agent lives on.
 */
import { chmodSync, existsSync, mkdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { userInfo } from 'node:os';
import { refused, unavailable } from '../../errors.js';
import { agentDir, agentSocket } from '../paths.js';
import { runCallList, wireFailure } from './calls.js';
import { NativeHost } from './host.js';

const MAX_REQUEST = 512 * 1024 * 1024;

/** The agent's directory must be ours and closed to everyone else, or we refuse to use it. */
export function secureAgentDir(dir = agentDir()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  const uid = userInfo().uid;
  if (st.uid !== uid) throw unavailable('agent', `${dir} belongs to uid ${st.uid}, not to you (uid ${uid})`);
  if ((st.mode & 0o077) !== 0) throw unavailable('agent', `${dir} is open to others (mode ${(st.mode & 0o777).toString(8)}); it must be 700`);
  return dir;
}

function alive(sock: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(sock);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/** Serialises agent start-up, so that two starters never both clear a socket the other just made. */
function lock(dir: string): () => void {
  const path = `${dir}/start.lock`;
  for (let i = 0; ; i++) {
    try {
      mkdirSync(path);
      return () => rmSync(path, { recursive: true, force: true });
    } catch {
      const age = Date.now() - statSync(path).mtimeMs;
      if (age > 30_000) rmSync(path, { recursive: true, force: true });
      else if (i > 600) throw unavailable('agent', `${path} is held by another starting agent`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}

export async function runAgent(): Promise<void> {
  const dir = secureAgentDir();
  const sock = agentSocket(dir);
  const unlock = lock(dir);
  let host: NativeHost;
  try {
    if (existsSync(sock)) {
      if (await alive(sock)) {
        process.stderr.write(`xgt agent: another agent already serves ${sock}\n`);
        return;
      }
      unlinkSync(sock); // left behind by an agent that crashed
    }
    host = new NativeHost();
    const server = createServer((conn) => serve(conn, host, stop));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(sock, () => resolve());
    });
    chmodSync(sock, 0o600);
    writeFileSync(`${dir}/agent.pid`, `${process.pid}\n`);
    process.stderr.write(`xgt agent: pid ${process.pid} serving ${sock}\n`);

    function stop() {
      server.close();
      try { host.shutdown(); } finally {
        for (const f of [sock, `${dir}/agent.pid`]) rmSync(f, { force: true });
        process.exit(0);
      }
    }
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } finally {
    unlock();
  }
}

function serve(conn: Socket, host: NativeHost, stop: () => void): void {
  // a client that goes (a killed `evtchn wait`) ends what it was waiting for
  const gone = new AbortController();
  conn.on('close', () => gone.abort());
  conn.on('error', () => conn.destroy());
  const lines = createInterface({ input: conn, crlfDelay: Infinity });
  lines.on('line', async (line) => {
    let id: unknown = null;
    try {
      if (line.length > MAX_REQUEST) throw refused('E2BIG', 'agent', 'request too large');
      const req = JSON.parse(line) as { id?: unknown; op?: unknown; args?: unknown };
      id = req.id ?? null;
      if (typeof req.op !== 'string' || !Array.isArray(req.args)) throw refused('EINVAL', 'agent', 'a request is {"id", "op", "args": [...]}');
      if (req.op === 'agent.stop') {
        conn.end(`${JSON.stringify({ id, ok: { stopping: process.pid } })}\n`, () => stop());
        return;
      }
      const ok = req.op === 'calls.run' ? await runCallList(host, req.args, gone.signal)
        : await host.call(req.op, req.args, gone.signal);
      conn.write(`${JSON.stringify({ id, ok: ok ?? null })}\n`);
    } catch (e) {
      const err = e instanceof SyntaxError ? refused('EINVAL', 'agent', `malformed request: ${e.message}`) : e;
      if (!conn.destroyed) conn.write(`${JSON.stringify({ id, ...wireFailure(err) })}\n`);
    }
  });
}
