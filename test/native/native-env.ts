/**
 * The contract environment on real Xen (inside the xen-vm kit's dom0): a fresh agent per
 * fresh(), and guests made and played by the kit's `domu` tool.
 */
import { execFileSync } from 'node:child_process';
import { openNative } from '../../src/native/backend.js';
import { AgentClient } from '../../src/native/client.js';
import type { Backend } from '../../src/backend/types.js';
import type { ContractEnv, Peer } from '../contract/env.js';

const DOMU = process.env.XENVM_DOMU || 'domu';

export function domu(...args: (string | number)[]): any {
  try {
    return JSON.parse(execFileSync(DOMU, ['--json', ...args.map(String)], { encoding: 'utf8' }));
  } catch (e) {
    const out = (e as { stdout?: string }).stdout;
    throw new Error(`domu ${args.join(' ')} failed: ${out ?? (e as Error).message}`);
  }
}

async function stopAgent(): Promise<void> {
  try {
    const c = await AgentClient.open({ start: false });
    await c.call('agent.stop');
    c.close();
  } catch { /* none running */ }
  await new Promise((r) => setTimeout(r, 200));
}

export function nativeEnv(): ContractEnv {
  const open: Backend[] = [];
  const guests: number[] = [];
  return {
    name: 'native',
    async fresh() {
      while (open.length) open.pop()!.close();
      await stopAgent();
      const b = await openNative(undefined);
      open.push(b);
      return b;
    },
    async newPeer(opts = {}): Promise<Peer> {
      const type = opts.type ?? 'hvm';
      const { domid } = domu('create', `--${type}`, '--mem', 16);
      guests.push(domid);
      let nextRef = 8;
      let nextGfn = 0x20;
      const gfnOf = new Map<number, number>();
      return {
        domid,
        async grant(pages, o = {}) {
          const refs = [];
          for (let i = 0; i < pages; i++) {
            const ref = nextRef++;
            const gfn = nextGfn++;
            domu('grant', domid, '--ref', ref, '--gfn', gfn, '--to', o.to ?? 0, ...(o.readonly ? ['--readonly'] : []));
            gfnOf.set(ref, gfn);
            refs.push(ref);
          }
          return refs;
        },
        frameOf: (ref) => gfnOf.get(ref)!,
        async writePage(ref, offset, data) {
          domu('write', domid, '--gfn', gfnOf.get(ref)!, '--offset', offset, '--hex', Buffer.from(data).toString('hex'));
        },
        async readPage(ref, offset, length) {
          const r = domu('read', domid, '--gfn', gfnOf.get(ref)!, '--offset', offset, '--length', length, '--hex');
          return Buffer.from(String(r.hex ?? r.data), 'hex');
        },
        async allocUnbound(remote) {
          return domu('evtchn-unbound', domid, '--remote', remote).port;
        },
        async portStatus(port) {
          const s = domu('evtchn-status', domid, port);
          return { state: s.status, remote_domid: s.remote_dom ?? null, remote_port: s.remote_port ?? null };
        },
      };
    },
    async missingDomid() { return 0x7fe0; },
    async snapshot(b: Backend) {
      return { gnttab: await b.gnttab.list(), evtchn: await b.evtchn.list() };
    },
    async teardown() {
      while (open.length) open.pop()!.close();
      await stopAgent();
      for (const d of guests.splice(0)) {
        try { domu('destroy', d); } catch { /* already gone */ }
      }
    },
  };
}
