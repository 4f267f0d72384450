/**
 * Injected faults (`emu fault add`): a chosen operation refused the way Xen or Linux refuses it,
 * so a script's error paths can be tested. Faults live in the state file, so they act on every
 * process using it; each call on the emulated host first asks whether one fires. A fault lets
 * `after` matching calls through, then refuses `times` of them (0: until cleared), and leaves the
 * list once spent. A refused call changes nothing but the fault's own count.
 */
import { constants } from 'node:os';
import { refused, usage, type XgtError } from '../errors.js';
import { GNTST, gntstMessage } from '../xen.js';
import type { StateStore } from './store.js';

/** The interface's calls (backend/calls.ts) by the op name their errors carry: what `--op` names. */
export const CALL_OPS: Record<string, string> = {
  'info': 'info',
  'domains.create': 'domain.create', 'domains.list': 'domain.list', 'domains.destroy': 'domain.destroy', 'domains.usage': 'top',
  'gnttab.grant': 'gnttab.grant', 'gnttab.ungrant': 'gnttab.ungrant', 'gnttab.map': 'gnttab.map', 'gnttab.unmap': 'gnttab.unmap',
  'gnttab.limits': 'gnttab.limit', 'gnttab.list': 'gnttab.list', 'gnttab.read': 'gnttab.read', 'gnttab.write': 'gnttab.write',
  'gnttab.copyFrom': 'gnttab.copy', 'gnttab.copyTo': 'gnttab.copy',
  'evtchn.bindUnbound': 'evtchn.bind', 'evtchn.bindInterdomain': 'evtchn.bind', 'evtchn.bindVirq': 'evtchn.bind',
  'evtchn.notify': 'evtchn.notify', 'evtchn.unbind': 'evtchn.unbind', 'evtchn.wait': 'evtchn.wait', 'evtchn.list': 'evtchn.list',
  'dmop.createIoreqServer': 'dmop.create-ioreq-server', 'dmop.destroyIoreqServer': 'dmop.destroy-ioreq-server',
  'dmop.mapMemType': 'dmop.map-mem-type', 'dmop.setMemType': 'dmop.set-mem-type', 'dmop.list': 'dmop.list',
  'mem.getDmaBuf': 'mem.get-dma-buf', 'mem.putDmaBuf': 'mem.put-dma-buf', 'mem.list': 'mem.list',
};
export const FAULT_OPS = [...new Set(Object.values(CALL_OPS))].sort();
/** Where the hypervisor's grant status comes with the errno (gntdev's mmap, GNTTABOP_copy). */
const GNTST_OPS = new Set(['gnttab.map', 'gnttab.copy']);
const ERRNOS = constants.errno as Record<string, number>;

export interface Fault {
  id: number; op: string; domid: number | null; code: string; gntst: number | null; after: number; times: number;
}
export type FaultSpec = Omit<Fault, 'id'>;

/** A fault as `emu fault add` reads it, checked: usage errors for what no real refusal looks like. */
export function checkFault(op: string, f: { op: string; code: string; gntst?: string }): { code: string; gntst: number | null } {
  if (!FAULT_OPS.includes(f.op)) throw usage(op, `--op ${f.op}: not an operation (one of ${FAULT_OPS.join(', ')})`);
  const code = f.code.toUpperCase();
  if (!(code in ERRNOS)) throw usage(op, `--code ${f.code}: not an errno name (EINVAL, ENOSPC, EAGAIN…)`);
  if (f.gntst === undefined) return { code, gntst: null };
  if (!GNTST_OPS.has(f.op)) throw usage(op, `--gntst: ${f.op} carries no grant status (only ${[...GNTST_OPS].join(' and ')} do)`);
  const want = f.gntst.toLowerCase().replace(/^gntst_/, '');
  const entry = Object.entries(GNTST).find(([n, [name]]) => name.toLowerCase().replace(/^gntst_/, '') === want || n === f.gntst);
  if (!entry || Number(entry[0]) === 0) throw usage(op, `--gntst ${f.gntst}: not a GNTST failure (GNTST_eagain, GNTST_bad_page…)`);
  if (code !== 'EINVAL') throw usage(op, `--gntst goes with --code EINVAL: that is how a refused ${f.op} reports it`);
  return { code, gntst: Number(entry[0]) };
}

export function addFault(st: StateStore, f: FaultSpec): Fault {
  const id = q.insert(st, f);
  return { id, ...f };
}

export const listFaults = (st: StateStore): Fault[] => q.all(st);

/** Clears one fault (ENOENT if there is none of that id), or all of them. */
export function clearFaults(st: StateStore, id?: number): number[] {
  const ids = q.all(st).map((f) => f.id).filter((x) => id === undefined || x === id);
  if (id !== undefined && ids.length === 0) throw refused('ENOENT', 'emu.fault', `no fault ${id}`);
  for (const x of ids) q.delete(st, x);
  return ids;
}

/**
 * Whether a fault refuses this call of `op` by `domid` (run in the call's own transaction):
 * matching faults count the call, in id order, until one whose `after` is spent fires.
 */
export function faultFor(st: StateStore, op: string, domid: number): XgtError | undefined {
  for (const f of q.matching(st, op, domid)) {
    if (f.after > 0) {
      q.setCounts(st, f.id, f.after - 1, f.times);
      continue;
    }
    if (f.times === 1) q.delete(st, f.id);
    else if (f.times > 1) q.setCounts(st, f.id, 0, f.times - 1);
    const status = f.gntst === null ? '' : `: ${gntstMessage(f.gntst)}`;
    return refused(f.code, op, `${op} refused${status} (emu fault ${f.id})`, f.gntst === null ? {} : { gntst: f.gntst });
  }
  return undefined;
}

/** Whether the state file holds any fault: one cheap read before every call, so faults cost nothing when there are none. */
export const anyFault = (st: StateStore) => q.any(st);

const q = {
  any: (st: StateStore) => st.get('SELECT 1 FROM faults LIMIT 1') !== undefined,
  all: (st: StateStore) => st.all<Fault>('SELECT id, op, domid, code, gntst, after, times FROM faults ORDER BY id'),
  matching: (st: StateStore, op: string, domid: number) => st.all<Fault>(
    'SELECT * FROM faults WHERE op = ? AND (domid IS NULL OR domid = ?) ORDER BY id', op, domid),
  insert: (st: StateStore, f: FaultSpec) => Number(st.run('INSERT INTO faults (op, domid, code, gntst, after, times) VALUES (?, ?, ?, ?, ?, ?)',
    f.op, f.domid, f.code, f.gntst, f.after, f.times).lastInsertRowid),
  setCounts: (st: StateStore, id: number, after: number, times: number) =>
    st.run('UPDATE faults SET after = ?, times = ? WHERE id = ?', after, times, id),
  delete: (st: StateStore, id: number) => st.run('DELETE FROM faults WHERE id = ?', id),
};
