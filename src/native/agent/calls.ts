/**
 * A list of calls made in the agent in one request (`calls.run`): a native batch sends its lines'
 * calls this way, so that a line costs its device work and no round trip of its own. The calls
 * are made in order; a run of grant maps and unmaps goes to the device in one call into the addon
 * (NativeGnttab.runTogether), the others one by one. After a failure no more are made, unless
 * keepGoing.
 */
import { refused } from '../../errors.js';
import { NativeGnttab, type GrantCall } from './gnttab.js';
import { agentFailure, type NativeHost } from './host.js';

/** A call's outcome as it crosses the socket: its result, or its failure as the agent reports one. */
export type WireOutcome = { ok: unknown } | { err: Record<string, unknown> };

export const wireFailure = (e: unknown): { err: Record<string, unknown> } => {
  const f = agentFailure(e);
  return { err: { kind: f.kind, ...f.toJSON() } };
};

function parseArgs(args: unknown[]): [GrantCall[], boolean] {
  const [calls, keepGoing] = args;
  const ok = Array.isArray(calls) && typeof keepGoing === 'boolean'
    && calls.every((c) => c !== null && typeof c === 'object' && typeof c.op === 'string' && Array.isArray(c.args));
  if (!ok) throw refused('EINVAL', 'calls.run', 'calls.run takes [[{"op", "args": [...]}, ...], keep going (boolean)]');
  return [calls as GrantCall[], keepGoing as boolean];
}

export async function runCallList(host: NativeHost, args: unknown[], gone?: AbortSignal): Promise<WireOutcome[]> {
  const [calls, keepGoing] = parseArgs(args);
  const out: WireOutcome[] = [];
  let at = 0;
  while (at < calls.length) {
    let end = at;
    while (end < calls.length && NativeGnttab.together(calls[end])) end++;
    if (end > at) {
      const { results, failure } = host.gnttab.runTogether(calls.slice(at, end));
      for (const r of results) out.push({ ok: r });
      at += results.length;
      if (failure === undefined) continue;
      out.push(wireFailure(failure));
      at++;
      if (!keepGoing) break;
      continue;
    }
    const { op, args: a } = calls[at++];
    try {
      out.push({ ok: (await host.run(op, [...a], gone)) ?? null });
    } catch (e) {
      out.push(wireFailure(e));
      if (!keepGoing) break;
    }
  }
  return out;
}
