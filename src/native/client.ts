/**
 * The CLI's side of the agent: one Unix-socket connection per command, the agent started on
 * demand. An agent that cannot be reached or started is "backend unavailable" (exit 3).
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { unavailable, XgtError, type ErrorKind } from '../errors.js';
import type { Outcome } from '../backend/types.js';
import { createInterface } from 'node:readline';
import { agentDir, agentSocket } from './paths.js';
import { secureAgentDir } from './agent/server.js';

// from the tests (src/) and the CLI alike, the agent runs the compiled code
const AGENT_MAIN = join(packageRoot(), 'dist/native/agent/main.js');
/**
 * The agent lives long and runs batches of thousands of lines, so it compiles eagerly: baseline
 * code at once instead of interpreting first, feedback from the first call, optimisation after
 * a quarter of V8's default budget. A larger young generation: a batch's lines allocate
 * briskly, and in a dom0 every scavenge's page work goes through the hypervisor. Measured in the
 * xen-vm dom0, alternating with and without: a new agent's first batches run 10-50% faster and
 * the warm rate is reached after half the lines. None of them weakens V8's protections.
 */
const AGENT_V8_FLAGS = ['--max-semi-space-size=32', '--interrupt-budget=32768', '--always-sparkplug', '--no-lazy-feedback-allocation'];
/**
 * On one CPU, V8's helper threads (concurrent compiling, parallel and concurrent GC) can only
 * take turns with the agent's own thread, and in a PV dom0 every switch between them goes
 * through the hypervisor. Measured in the one-vCPU xen-vm dom0, three benchmark runs each: a
 * new agent's first batch 351-399 pairs/s with --single-threaded, 254-302 without; the warm rate
 * the same (0.451-0.464x against 0.450-0.479x). With more CPUs the helpers run beside it, as V8
 * means them to.
 */
const agentV8Flags = () => (availableParallelism() === 1 ? [...AGENT_V8_FLAGS, '--single-threaded'] : AGENT_V8_FLAGS);
/** Node takes seconds to start under emulation (the xen-vm kit runs dom0 under TCG). */
const START_TIMEOUT_MS = Number(process.env.XGT_AGENT_START_TIMEOUT_MS ?? 30000);

function connect(sock: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const c = createConnection(sock);
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

/** The agent's own last word in its log (a Node stack ends with noise like "Node.js v20"). */
function lastLogLine(dir: string): string {
  try {
    const lines = readFileSync(`${dir}/agent.log`, 'utf8').trim().split('\n');
    return lines.reverse().find((l) => /^xgt agent:|Error/.test(l)) ?? lines[0] ?? '';
  } catch {
    return '';
  }
}

/** A failure as the agent sent it (see agent/calls.ts), as the XgtError it was. */
export function failureFromWire(err: Record<string, unknown>): XgtError {
  const { kind, code, op, message, gntst, gntst_name: _n, errno: _e, ...extra } = err;
  return new XgtError(kind as ErrorKind, String(code), String(op), String(message),
    { gntst: gntst as number | undefined, extra: Object.keys(extra).length ? extra : undefined });
}

/** The outcomes of calls.run, as the agent sent them. */
export function outcomesFromWire(wire: ({ ok: unknown } | { err: Record<string, unknown> })[]): Outcome[] {
  return wire.map((w) => ('err' in w ? { ok: false, error: failureFromWire(w.err) } : { ok: true, result: w.ok }));
}

export class AgentClient {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  private constructor(private readonly sock: Socket) {
    createInterface({ input: sock, crlfDelay: Infinity }).on('line', (line) => this.message(line));
    const gone = () => {
      for (const p of this.pending.values()) p.reject(unavailable('agent', 'the xgt agent closed the connection (did it die?)'));
      this.pending.clear();
    };
    sock.on('close', gone);
    sock.on('error', gone);
  }

  private message(line: string): void {
    const msg = JSON.parse(line) as { id: number; ok?: unknown; err?: Record<string, unknown> };
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.err) p.reject(failureFromWire(msg.err));
    else p.resolve(msg.ok);
  }

  /** Connects to the agent, starting it first if none runs (unless `start` is false). */
  static async open({ start = true } = {}): Promise<AgentClient> {
    const dir = agentDir();
    const sock = agentSocket(dir);
    try {
      return new AgentClient(await connect(sock));
    } catch (e) {
      if (!start) throw unavailable('agent', `no xgt agent is running (${sock}: ${(e as NodeJS.ErrnoException).code})`);
    }
    await AgentClient.start();
    return new AgentClient(await connect(sock));
  }

  /** The running agent, or undefined when none answers (never starts one). */
  static async ifRunning(): Promise<AgentClient | undefined> {
    try {
      return await AgentClient.open({ start: false });
    } catch {
      return undefined;
    }
  }

  /** Starts an agent in the background and waits until its socket answers. */
  static async start(): Promise<void> {
    const dir = secureAgentDir();
    const sock = agentSocket(dir);
    const log = openSync(`${dir}/agent.log`, 'a');
    const child = spawn(process.execPath, [...agentV8Flags(), AGENT_MAIN], { detached: true, stdio: ['ignore', log, log] });
    let exited: number | null = null;
    child.once('exit', (code) => { exited = code ?? 1; });
    child.unref();
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (existsSync(sock)) {
        try {
          (await connect(sock)).destroy();
          return;
        } catch { /* not listening yet */ }
      }
      if (exited !== null && exited !== 0) {
        throw unavailable('agent', `the xgt agent failed to start: ${lastLogLine(dir) || `exit ${exited}`}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw unavailable('agent', `the xgt agent did not come up within ${START_TIMEOUT_MS} ms (see ${dir}/agent.log)`);
  }

  call<T>(op: string, ...args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.sock.write(`${JSON.stringify({ id, op, args: args.map((a) => a ?? null) })}\n`);
    });
  }

  close(): void {
    this.sock.end();
  }
}
