/**
 * A call on the backend interface, by name: what a command line becomes once its flags are read.
 * The names are the interface's own (`gnttab.map`, `evtchn.bindUnbound`…), so a call means the
 * same on every backend, can be made in this process or sent to the native agent as it is, and a
 * batch is nothing more than a list of them.
 */
import { asXgtError } from '../errors.js';
import type { Backend, NamedCall, Outcome } from './types.js';

export type { Outcome };

type Method = (b: Backend, ...args: any[]) => Promise<unknown>;
type P<F> = F extends (...a: infer A) => unknown ? A : never;
type Tail<A> = A extends [unknown, ...infer T] ? T : never;
type G = Backend['gnttab'];
type E = Backend['evtchn'];
type D = Backend['dmop'];
type M = Backend['mem'];

const OPS = {
  'info': (b: Backend) => b.info(),
  'domains.create': (b: Backend, ...a: P<Backend['domains']['create']>) => b.domains.create(...a),
  'domains.list': (b: Backend) => b.domains.list(),
  'domains.destroy': (b: Backend, ...a: P<Backend['domains']['destroy']>) => b.domains.destroy(...a),
  'domains.usage': (b: Backend) => b.domains.usage(),
  'gnttab.grant': (b: Backend, ...a: P<G['grant']>) => b.gnttab.grant(...a),
  'gnttab.ungrant': (b: Backend, ...a: P<G['ungrant']>) => b.gnttab.ungrant(...a),
  'gnttab.map': (b: Backend, ...a: P<G['map']>) => b.gnttab.map(...a),
  'gnttab.unmap': (b: Backend, ...a: P<G['unmap']>) => b.gnttab.unmap(...a),
  'gnttab.limits': (b: Backend, ...a: P<G['limits']>) => b.gnttab.limits(...a),
  'gnttab.list': (b: Backend, ...a: P<G['list']>) => b.gnttab.list(...a),
  'gnttab.read': (b: Backend, ...a: P<G['read']>) => b.gnttab.read(...a),
  'gnttab.write': (b: Backend, ...a: P<G['write']>) => b.gnttab.write(...a),
  'gnttab.copyFrom': (b: Backend, ...a: P<G['copyFrom']>) => b.gnttab.copyFrom(...a),
  'gnttab.copyTo': (b: Backend, ...a: P<G['copyTo']>) => b.gnttab.copyTo(...a),
  'evtchn.bindUnbound': (b: Backend, ...a: P<E['bindUnbound']>) => b.evtchn.bindUnbound(...a),
  'evtchn.bindInterdomain': (b: Backend, ...a: P<E['bindInterdomain']>) => b.evtchn.bindInterdomain(...a),
  'evtchn.bindVirq': (b: Backend, ...a: P<E['bindVirq']>) => b.evtchn.bindVirq(...a),
  'evtchn.notify': (b: Backend, ...a: P<E['notify']>) => b.evtchn.notify(...a),
  'evtchn.unbind': (b: Backend, ...a: P<E['unbind']>) => b.evtchn.unbind(...a),
  'evtchn.wait': (b: Backend, ...a: P<E['wait']>) => b.evtchn.wait(...a),
  'evtchn.list': (b: Backend, ...a: P<E['list']>) => b.evtchn.list(...a),
  'dmop.createIoreqServer': (b: Backend, ...a: P<D['createIoreqServer']>) => b.dmop.createIoreqServer(...a),
  'dmop.destroyIoreqServer': (b: Backend, ...a: P<D['destroyIoreqServer']>) => b.dmop.destroyIoreqServer(...a),
  'dmop.mapMemType': (b: Backend, ...a: P<D['mapMemType']>) => b.dmop.mapMemType(...a),
  'dmop.setMemType': (b: Backend, ...a: P<D['setMemType']>) => b.dmop.setMemType(...a),
  'dmop.list': (b: Backend, ...a: P<D['list']>) => b.dmop.list(...a),
  // the memory calls name a domain, the acting one when none is given
  'mem.getDmaBuf': (b: Backend, domid: number | undefined, ...a: Tail<P<M['getDmaBuf']>>) => b.mem.getDmaBuf(domid ?? b.domid, ...a),
  'mem.putDmaBuf': (b: Backend, domid: number | undefined, ...a: Tail<P<M['putDmaBuf']>>) => b.mem.putDmaBuf(domid ?? b.domid, ...a),
  'mem.list': (b: Backend, domid?: number) => b.mem.list(domid ?? b.domid),
} satisfies Record<string, Method>;

export type Op = keyof typeof OPS;
type Args<K extends Op> = (typeof OPS)[K] extends (b: Backend, ...a: infer A) => unknown ? A : never;
export type Result<K extends Op> = Awaited<ReturnType<(typeof OPS)[K]>>;

export interface Call<K extends Op = Op> extends NamedCall { op: K }

/** A call, its arguments checked against the interface at compile time. */
export function call<K extends Op>(op: K, ...args: Args<K>): Call<K> {
  return { op, args };
}

export function isOp(op: unknown): op is Op {
  return typeof op === 'string' && Object.hasOwn(OPS, op);
}

/** Makes a call on `b`. */
export function invoke<K extends Op>(b: Backend, c: Call<K>): Promise<Result<K>> {
  return (OPS[c.op] as Method)(b, ...c.args) as Promise<Result<K>>;
}

/**
 * Makes the calls in order, each once the one before has finished; after a failure, unless
 * keepGoing, makes no more (the outcomes stop there). A backend that can make a list of calls
 * better (the agent, in one request) does so through Backend.runCalls; this is every other's.
 */
export async function runCalls(b: Backend, calls: readonly Call[], keepGoing: boolean): Promise<Outcome[]> {
  if (b.runCalls) return b.runCalls(calls, keepGoing);
  const out: Outcome[] = [];
  for (const c of calls) {
    try {
      out.push({ ok: true, result: await invoke(b, c) });
    } catch (e) {
      out.push({ ok: false, error: asXgtError(e, c.op) });
      if (!keepGoing) break;
    }
  }
  return out;
}

/** `evtchn.wait` that can block (any timeout but 0): what comes before it must be out first. */
export const mayBlock = (c: Call) => c.op === 'evtchn.wait' && c.args[1] !== 0;
