/**
 * `xgt smoke`: an end-to-end self-test of a backend — grant, map, write/read both ways, bind,
 * notify, wait, unmap, ungrant, and the device-model and memory operations where there is a
 * guest to try them on — that leaves nothing behind. Each check records what it saw.
 */
import type { Backend } from './backend/types.js';
import { XgtError } from './errors.js';

export interface SmokeCheck { name: string; ok: boolean; detail: string }
export interface SmokeReport { backend: string; domid: number; peer: number | null; passed: boolean; checks: SmokeCheck[] }

type Step = () => Promise<string>;

export async function smoke(b: Backend, peer: number | null): Promise<SmokeReport> {
  const checks: SmokeCheck[] = [];
  let failed = false;
  const check = async (name: string, step: Step, opts: { always?: boolean } = {}) => {
    if (failed && !opts.always) {
      checks.push({ name, ok: false, detail: 'skipped after an earlier failure' });
      return;
    }
    try {
      checks.push({ name, ok: true, detail: await step() });
    } catch (e) {
      failed = true;
      const detail = e instanceof XgtError ? `${e.code}: ${e.message}` : (e as Error).message;
      checks.push({ name, ok: false, detail });
    }
  };
  const expect = (cond: boolean, what: string) => {
    if (!cond) throw new Error(what);
  };

  const me = b.domid;
  let grant: { index: number; refs: number[] } | undefined;
  let map: { index: number } | undefined;
  let ports: { u: number; l: number } | undefined;

  await check('gnttab grant', async () => {
    grant = await b.gnttab.grant(me, 2, false);
    return `refs ${grant.refs.join(',')} at index ${grant.index}`;
  });
  await check('gnttab map', async () => {
    map = await b.gnttab.map(me, grant!.refs, false);
    return `index ${map.index}, ${grant!.refs.length} pages`;
  });
  await check('write through the mapping, read through the grant', async () => {
    const text = Buffer.from(`xgt smoke ${process.pid}`);
    await b.gnttab.write({ index: map!.index }, 4096 + 7, text);
    const back = Buffer.from(await b.gnttab.read({ ref: grant!.refs[1] }, 7, text.length));
    expect(back.equals(text), `read back ${JSON.stringify(back.toString())}`);
    return `${text.length} bytes`;
  });
  await check('write through the grant, read through the mapping', async () => {
    const text = Buffer.from('and back');
    await b.gnttab.write({ ref: grant!.refs[0] }, 0, text);
    const back = Buffer.from(await b.gnttab.read({ index: map!.index }, 0, text.length));
    expect(back.equals(text), `read back ${JSON.stringify(back.toString())}`);
    return `${text.length} bytes`;
  });
  await check('evtchn bind (loopback)', async () => {
    const u = (await b.evtchn.bindUnbound(me)).port;
    const l = (await b.evtchn.bindInterdomain(me, u)).port;
    ports = { u, l };
    const first = await b.evtchn.wait([l], 1000);
    expect(first.ports.includes(l), 'the new interdomain port was not pending');
    return `ports ${u} <-> ${l}`;
  });
  await check('evtchn notify and wait', async () => {
    await b.evtchn.notify(ports!.l);
    const got = await b.evtchn.wait([ports!.u], 1000);
    expect(got.ports.includes(ports!.u), `woke with ${got.ports.join(',')}`);
    return `port ${ports!.u} delivered`;
  });
  if (peer !== null) {
    await check('dmop ioreq server and memory type', async () => {
      const { id } = await b.dmop.createIoreqServer(peer, 'off');
      try {
        await b.dmop.mapMemType(peer, id, 4, 2);
        await b.dmop.setMemType(peer, 4, 0, 1);
        await b.dmop.setMemType(peer, 0, 0, 1);
        await b.dmop.mapMemType(peer, id, 4, 0);
      } finally {
        await b.dmop.destroyIoreqServer(peer, id);
      }
      return `server ${id} on domain ${peer}: claim, set, disclaim`;
    });
    if (b.caps.dma_buf) {
      await check('mem get-dma-buf / put-dma-buf', async () => {
        const r = await b.mem.getDmaBuf(peer, 1, 2, 32);
        await b.mem.putDmaBuf(peer, r.extents[0].gpfn, 1, 2);
        return `gpfn ${r.extents[0].gpfn} -> mfn 0x${r.extents[0].mfn.toString(16)}`;
      });
    }
  }
  await check('teardown', async () => {
    if (ports) {
      await b.evtchn.unbind(ports.l);
      await b.evtchn.unbind(ports.u);
    }
    if (map) await b.gnttab.unmap(map.index);
    if (grant) {
      const u = await b.gnttab.ungrant(grant.index);
      expect(u.deferred.length === 0, `refs still mapped: ${u.deferred.join(',')}`);
    }
    const l = await b.gnttab.list();
    expect(!map || !l.mapped.some((m) => m.index === map!.index), `mapping ${map?.index} is still there`);
    expect(!grant || !l.granted.some((g) => grant!.refs.includes(g.ref)), `refs ${grant?.refs.join(',')} are still granted`);
    return 'nothing left behind';
  }, { always: true });
  return { backend: b.name, domid: me, peer, passed: checks.every((c) => c.ok), checks };
}
