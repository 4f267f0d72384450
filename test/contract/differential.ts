/**
 * A differential test: a seeded generator of random command sequences — grants, maps, reads and
 * writes, copies, channels, waits, listings, and misuses — run step by step on two backends
 * (natively in the dom0: the real one and the emulator), every step's outcome compared. Choices
 * are made on abstract handles ("the second grant", "a port of the peer's"); each backend's
 * numbers come from its own answers, and outputs are compared through the replay's pairing, so
 * numbers need only be consistent, not equal.
 */
import { Pairing, differs } from '../../src/cli/replay.js';
import type { Backend } from '../../src/backend/types.js';
import { XgtError } from '../../src/errors.js';
import type { ContractEnv, Peer } from './env.js';

/** A deterministic generator of numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 0x80000000);
}

interface Side { b: Backend; peer: Peer }
/** A thing both backends made, each with its own numbers. */
interface Handle<T> { a: T; b: T }
type Outcome = { ok: true; result: unknown } | { ok: false; code: string; gntst?: number };

export interface Divergence { seed: number; step: number; what: string; a: unknown; b: unknown; where: string }

const PAGE = 4096;

async function outcome(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    const r = await fn();
    return { ok: true, result: r instanceof Uint8Array ? Buffer.from(r).toString('hex') : r };
  } catch (e) {
    if (!(e instanceof XgtError) || e.kind !== 'refused') throw e;
    return { ok: false, code: e.code, ...(e.gntst === undefined ? {} : { gntst: e.gntst }) };
  }
}

/** Runs `steps` random steps of seed `seed` on both sides; the divergences found (stops at the first). */
export async function differential(envA: ContractEnv, envB: ContractEnv, seed: number, steps: number): Promise<Divergence[]> {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const chance = (p: number) => random() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const A: Side = { b: await envA.fresh(), peer: await envA.newPeer() };
  const B: Side = { b: await envB.fresh(), peer: await envB.newPeer() };
  const pairing = new Pairing();

  const grants: Handle<{ index: number; refs: number[]; to: 'self' | 'peer' }>[] = [];
  const peerRefs: Handle<{ ref: number; readonly: boolean }>[] = [];
  const maps: Handle<{ index: number; pages: number; readonly: boolean; ownRefs?: number[] }>[] = [];
  const ports: Handle<number>[] = [];
  const peerPorts: Handle<number>[] = [];

  for (let step = 1; step <= steps; step++) {
    const kind = pick(['grant', 'grant', 'peer-grant', 'map-own', 'map-peer', 'map-peer', 'unmap', 'ungrant', 'write', 'read',
      'copy', 'bind', 'bind', 'notify', 'wait', 'unbind', 'list', 'misuse'] as const);
    // each operation: what it is (for the report), and the call on one side given which side it is
    let what = kind as string;
    let run: (s: Side, which: 'a' | 'b') => Promise<unknown>;
    let keep: ((ra: unknown, rb: unknown) => void) | undefined;
    switch (kind) {
      case 'grant': {
        const to = chance(0.6) ? 'self' as const : 'peer' as const;
        const pages = int(1, 3);
        const ro = chance(0.3);
        what = `grant ${pages} page(s) to ${to}${ro ? ' read-only' : ''}`;
        run = (s) => s.b.gnttab.grant(to === 'self' ? s.b.domid : s.peer.domid, pages, ro);
        keep = (ra, rb) => grants.push({ a: { ...(ra as { index: number; refs: number[] }), to }, b: { ...(rb as { index: number; refs: number[] }), to } });
        break;
      }
      case 'peer-grant': {
        const ro = chance(0.3);
        what = `the peer grants a page${ro ? ' read-only' : ''}`;
        run = async (s) => (await s.peer.grant(1, { readonly: ro }))[0];
        keep = (ra, rb) => peerRefs.push({ a: { ref: ra as number, readonly: ro }, b: { ref: rb as number, readonly: ro } });
        break;
      }
      case 'map-own': {
        const own = grants.filter((g) => g.a.to === 'self');
        if (!own.length) continue;
        const g = pick(own);
        const ro = chance(0.4);
        const take = int(1, g.a.refs.length);
        what = `map ${take} of our own grant's refs${ro ? ' read-only' : ''}`;
        run = (s, w) => s.b.gnttab.map(s.b.domid, g[w].refs.slice(0, take), ro);
        keep = (ra, rb) => maps.push({
          a: { index: (ra as { index: number }).index, pages: take, readonly: ro, ownRefs: g.a.refs.slice(0, take) },
          b: { index: (rb as { index: number }).index, pages: take, readonly: ro },
        });
        break;
      }
      case 'map-peer': {
        if (!peerRefs.length) continue;
        const chosen = [pick(peerRefs), ...(chance(0.3) ? [pick(peerRefs)] : [])];
        const ro = chance(0.4);
        what = `map ${chosen.length} of the peer's refs${ro ? ' read-only' : ''}`;
        run = (s, w) => s.b.gnttab.map(s.peer.domid, chosen.map((h) => h[w].ref), ro);
        keep = (ra, rb) => maps.push({ a: { index: (ra as { index: number }).index, pages: chosen.length, readonly: ro }, b: { index: (rb as { index: number }).index, pages: chosen.length, readonly: ro } });
        break;
      }
      case 'unmap': {
        const bogus = !maps.length || chance(0.15);
        const i = bogus ? -1 : Math.floor(random() * maps.length);
        what = bogus ? 'unmap an index nothing is mapped at' : 'unmap a mapping';
        run = (s, w) => s.b.gnttab.unmap(bogus ? 999 * PAGE : maps[i][w].index);
        keep = () => { if (!bogus) maps.splice(i, 1); };
        break;
      }
      case 'ungrant': {
        // a run we still map ourselves is freed by Linux on a later timer tick, so which refs the
        // next grant gets is a race (README): only runs nobody maps are ended
        const free = grants.map((g, i) => [g, i] as const)
          .filter(([g]) => !maps.some((m) => m.a.ownRefs?.some((r) => g.a.refs.includes(r))));
        const bogus = !free.length || chance(0.15);
        const i = bogus ? -1 : pick(free)[1];
        what = bogus ? 'ungrant an index no run starts at' : 'ungrant a run';
        run = (s, w) => s.b.gnttab.ungrant(bogus ? 4242 * PAGE : grants[i][w].index);
        keep = () => { if (!bogus) grants.splice(i, 1); };
        break;
      }
      case 'write': case 'read': {
        const viaMap = maps.length && (chance(0.6) || !grants.length);
        if (!viaMap && !grants.length) continue;
        const m = viaMap ? pick(maps) : undefined;
        const g = viaMap ? undefined : pick(grants);
        const size = m ? m.a.pages * PAGE : PAGE;
        const offset = chance(0.1) ? size + int(0, 10) : int(0, size - 1);
        const length = chance(0.1) ? size : int(0, Math.min(64, size - offset + 8));
        const data = Buffer.from(Array.from({ length }, () => int(0, 255)));
        what = `${kind} ${length} bytes at ${offset} through ${m ? 'a mapping' : 'a grant'}`;
        run = (s, w) => {
          const target = m ? { index: m[w].index } : { ref: g![w].refs[0] };
          return kind === 'write' ? s.b.gnttab.write(target, offset, data) : s.b.gnttab.read(target, offset, length);
        };
        break;
      }
      case 'copy': {
        if (!peerRefs.length) continue;
        const h = pick(peerRefs);
        const offset = chance(0.15) ? int(4000, 4095) : int(0, 3000);
        const length = chance(0.15) ? 200 : int(0, 64);
        const into = chance(0.5);
        const bogusRef = chance(0.1);
        what = `copy ${length} bytes ${into ? 'into' : 'out of'} ${bogusRef ? 'a ref never granted' : "a peer's ref"} at ${offset}`;
        run = (s, w) => {
          const ref = bogusRef ? 600 : h[w].ref;
          return into ? s.b.gnttab.copyTo(s.peer.domid, ref, offset, Buffer.alloc(length, 7)) : s.b.gnttab.copyFrom(s.peer.domid, ref, offset, length);
        };
        break;
      }
      case 'bind': {
        const how = pick(['unbound-peer', 'unbound-self', 'loopback', 'to-peer'] as const);
        what = `bind: ${how}`;
        if (how === 'loopback') {
          const unbound = ports.filter(() => true);
          if (!unbound.length) continue;
          const p = pick(unbound);
          run = (s, w) => s.b.evtchn.bindInterdomain(s.b.domid, p[w]);
        } else if (how === 'to-peer') {
          run = async (s) => {
            const remote = await s.peer.allocUnbound(s.b.domid);
            return { remote, bound: await s.b.evtchn.bindInterdomain(s.peer.domid, remote) };
          };
          keep = (ra, rb) => {
            const [x, y] = [ra as { remote: number; bound: { port: number } }, rb as { remote: number; bound: { port: number } }];
            ports.push({ a: x.bound.port, b: y.bound.port });
            peerPorts.push({ a: x.remote, b: y.remote });
          };
          break;
        } else {
          run = (s) => s.b.evtchn.bindUnbound(how === 'unbound-self' ? s.b.domid : s.peer.domid);
        }
        keep = (ra, rb) => ports.push({ a: (ra as { port: number }).port, b: (rb as { port: number }).port });
        break;
      }
      case 'notify': case 'unbind': {
        const bogus = !ports.length || chance(0.15);
        const i = bogus ? -1 : Math.floor(random() * ports.length);
        what = `${kind} ${bogus ? 'a port not ours' : 'a port'}`;
        run = (s, w) => (kind === 'notify' ? s.b.evtchn.notify(bogus ? 4000 : ports[i][w]) : s.b.evtchn.unbind(bogus ? 4000 : ports[i][w]));
        keep = () => { if (kind === 'unbind' && !bogus) ports.splice(i, 1); };
        break;
      }
      case 'wait': {
        const only = ports.length && chance(0.5) ? [pick(ports)] : [];
        what = `poll ${only.length ? 'one port' : 'every port'}`;
        run = (s, w) => s.b.evtchn.wait(only.map((p) => p[w]), 0);
        break;
      }
      case 'list': {
        const which = pick(['gnttab', 'gnttab-peer', 'evtchn', 'evtchn-peer', 'top'] as const);
        what = `list: ${which}`;
        run = async (s, w) => {
          if (which === 'gnttab') {
            // listed by ref, as Xen holds them; but a kernel hands out refs in the order of its
            // free list, which a host's past fills: compared in the order they were granted
            const l = await s.b.gnttab.list();
            const pos = new Map(grants.flatMap((g) => g[w].refs.map((r, k) => [r, k] as const)));
            l.granted.sort((x, y) => (x.index ?? 0) - (y.index ?? 0) || (pos.get(x.ref) ?? 0) - (pos.get(y.ref) ?? 0));
            // a grant table only grows: our own one's size says how busy the host has been before
            return { ...l, usage: { ...l.usage, nr_frames: 'host-dependent' } };
          }
          if (which === 'gnttab-peer') return s.b.gnttab.list(s.peer.domid);
          // (names come from XenStore or the toolstack, and say domain-N after a domid each host picks)
          // (and our own grant table's size, as above)
          if (which === 'top') {
            return (await s.b.domains.usage()).filter((r) => r.domid === 0 || r.domid === s.peer.domid)
              .map(({ name: _, ...r }) => (r.domid === s.b.domid ? { ...r, grant_frames: 'host-dependent' } : r));
          }
          const l = await s.b.evtchn.list(which === 'evtchn' ? undefined : s.peer.domid);
          // the kernel's own ports are the host's business, not the script's
          return which === 'evtchn' ? { ports: l.ports.filter((p) => p.bound_here) } : l;
        };
        break;
      }
      case 'misuse': {
        const m = pick(['map-beyond', 'map-unknown-domain', 'map-not-granted', 'map-rw-of-ro', 'notify-nothing', 'unbind-beyond'] as const);
        what = `misuse: ${m}`;
        run = (s, w) => {
          if (m === 'map-beyond') return s.b.gnttab.map(s.peer.domid, [100000], false);
          if (m === 'map-unknown-domain') return s.b.gnttab.map(0x7fe0, [8], false);
          if (m === 'map-not-granted') return s.b.gnttab.map(s.peer.domid, [500], false);
          if (m === 'map-rw-of-ro') {
            const ro = peerRefs.find((h) => h.a.readonly);
            return ro ? s.b.gnttab.map(s.peer.domid, [ro[w].ref], false) : s.b.gnttab.map(s.peer.domid, [501], true);
          }
          if (m === 'notify-nothing') return s.b.evtchn.notify(3000);
          return s.b.evtchn.unbind(100000);
        };
        break;
      }
    }
    const [oa, ob] = [await outcome(() => run(A, 'a')), await outcome(() => run(B, 'b'))];
    const pseudo = { grant: ['gnttab', 'grant'], 'map-own': ['gnttab', 'map'], 'map-peer': ['gnttab', 'map'], unmap: ['gnttab', 'unmap'],
      ungrant: ['gnttab', 'ungrant'], bind: ['evtchn', 'bind'], wait: ['evtchn', 'wait'] }[kind as string] ?? [kind];
    const where = oa.ok !== ob.ok ? 'outcome'
      : !oa.ok ? (oa.code !== (ob as { code: string }).code || oa.gntst !== (ob as { gntst?: number }).gntst ? 'error' : undefined)
        : differs(oa.result, (ob as { result: unknown }).result, pairing, what.startsWith('list: gnttab-peer') || what.startsWith('list: evtchn-peer')
          ? [...pseudo, 'list', '--domid', String(A.peer.domid)] : pseudo, A.b.domid);
    if (where !== undefined) return [{ seed, step, what, a: oa, b: ob, where }];
    if (oa.ok && ob.ok && keep) keep(oa.result, ob.result);
  }
  return [];
}
