/**
 * XENMEM_get_dma_buf / put_dma_buf as the 2013 proposal defined them (docs/XEN-RULES.md: memory exchange): an exchange
 * with XENMEM_exchange's rules whose new frames are machine-contiguous, order-aligned, below
 * 2^address_bits, and pinned until put_dma_buf. The guest's data moves with its pages.
 */
import { refused, type XgtError } from '../errors.js';
import type { DmaExtent } from '../backend/types.js';
import { liveDomain } from './domain-rows.js';
import { PAGE_SHIFT } from '../xen.js';
import { domainPages, freeFrames } from './machine.js';
import { mergeAround, rangesIn } from './p2m.js';
import type { StateStore } from './store.js';

const MAX_ORDER_DOMU = 9;
const MAX_ORDER_HARDWARE_DOMAIN = 12;
const CONTROL_DOMAIN = 0;

function target(st: StateStore, caller: number, domid: number, op: string) {
  const d = liveDomain(st, domid);
  if (!d) throw refused('ESRCH', op, `no domain ${domid}`);
  if (caller !== domid && caller !== CONTROL_DOMAIN) throw refused('EPERM', op, `domain ${caller} may not exchange domain ${domid}'s memory`);
  return d;
}

/** Is any page of [first, first+count) pinned by an earlier exchange or mapped through a grant? */
function busyReason(st: StateStore, domid: number, first: number, count: number): string | undefined {
  const pinned = st.get<{ gpfn: number }>(
    'SELECT gpfn FROM pinned_extents WHERE domid = ? AND gpfn < ? AND gpfn + (1 << ord) > ? LIMIT 1', domid, first + count, first);
  if (pinned) return `the extent at gpfn ${pinned.gpfn} is pinned`;
  const mapped = st.get<{ ref: number }>(
    'SELECT ref FROM grants WHERE domid = ? AND gfn >= ? AND gfn < ? AND pin_read + pin_write > 0 LIMIT 1', domid, first, first + count);
  if (mapped) return `the page of grant ref ${mapped.ref} is mapped by another domain`;
  return undefined;
}

/** The lowest order-aligned run of `count` pages that nothing holds. */
function firstFreeRun(st: StateStore, domid: number, count: number, pages: number): number | undefined {
  for (let g = 0; g + count <= pages; g += count) if (!busyReason(st, domid, g, count)) return g;
  return undefined;
}

/** Highest aligned run of 2^order free frames below `limit` (Xen allocates from the highest zone allowed). */
function takeAlignedFrames(st: StateStore, order: number, limit: number): number | undefined {
  const size = 1 << order;
  for (const r of st.all<{ first_mfn: number; count: number }>(
    'SELECT first_mfn, count FROM free_mfns WHERE first_mfn < ? ORDER BY first_mfn DESC', limit)) {
    const end = Math.min(r.first_mfn + r.count, limit);
    const start = Math.floor((end - size) / size) * size;
    if (start < r.first_mfn) continue;
    st.run('DELETE FROM free_mfns WHERE first_mfn = ?', r.first_mfn);
    if (start > r.first_mfn) st.run('INSERT INTO free_mfns (first_mfn, count) VALUES (?, ?)', r.first_mfn, start - r.first_mfn);
    const tail = r.first_mfn + r.count - (start + size);
    if (tail > 0) st.run('INSERT INTO free_mfns (first_mfn, count) VALUES (?, ?)', start + size, tail);
    return start;
  }
  return undefined;
}

/** Moves the guest's pages at [gpfn, +size) onto the new frames, data included, and frees the old ones. */
function moveExtent(st: StateStore, domid: number, gpfn: number, size: number, newMfn: number): void {
  for (const r of rangesIn(st, domid, gpfn, size)) {
    st.run(`INSERT INTO frames (mfn, data) SELECT mfn - ? + ?, data FROM frames WHERE mfn >= ? AND mfn < ?`,
      r.first_mfn, newMfn + (r.first_gfn - gpfn), r.first_mfn, r.first_mfn + r.count);
    freeFrames(st, r.first_mfn, r.count);
    st.run('DELETE FROM p2m WHERE domid = ? AND first_gfn = ?', domid, r.first_gfn);
  }
  st.run(`INSERT INTO p2m (domid, first_gfn, count, first_mfn, type) VALUES (?, ?, ?, ?, 'ram_rw')`, domid, gpfn, size, newMfn);
  mergeAround(st, domid, gpfn, size);
}

export interface Exchange { nr_exchanged: number; extents: DmaExtent[]; address_bits: number }

export function getDmaBuf(st: StateStore, caller: number, domid: number, extents: number, order: number,
  addressBits: number, gpfn: number | undefined): { result: Exchange; failure?: XgtError } {
  const op = 'mem.get-dma-buf';
  const maxOrder = caller === CONTROL_DOMAIN ? MAX_ORDER_HARDWARE_DOMAIN : MAX_ORDER_DOMU;
  if (order > maxOrder) throw refused('EPERM', op, `order ${order} is beyond domain ${caller}'s maximum (${maxOrder})`);
  const size = 2 ** order;
  if (extents * size > 2 ** 32) throw refused('EINVAL', op, `${extents} extents of order ${order} overflow`);
  target(st, caller, domid, op);
  const pages = domainPages(st, domid);
  let first = gpfn;
  if (first === undefined) {
    // more pages than the domain owns: Xen finds a gpfn it does not own (EINVAL), whatever is free
    if (extents * size > pages) {
      throw refused('EINVAL', op, `${extents * size} pages asked, domain ${domid} has ${pages}: the exchange would take pages it does not own`);
    }
    first = firstFreeRun(st, domid, extents * size, pages);
    if (first === undefined) throw refused('EBUSY', op, `domain ${domid} has no free run of ${extents * size} pages`);
  }
  if (first % size !== 0) throw refused('EINVAL', op, `gpfn ${first} is not aligned to order ${order}`);
  if (first + extents * size > pages) throw refused('EINVAL', op, `gpfns ${first}-${first + extents * size - 1} run beyond the domain (${pages} pages)`);
  const busy = busyReason(st, domid, first, extents * size);
  if (busy) throw refused('EBUSY', op, busy);
  const limit = addressBits === 0 || addressBits - PAGE_SHIFT >= 52 ? Number.MAX_SAFE_INTEGER : 2 ** (addressBits - PAGE_SHIFT);
  const done: DmaExtent[] = [];
  for (let i = 0; i < extents; i++) {
    const g = first + i * size;
    const mfn = takeAlignedFrames(st, order, limit);
    if (mfn === undefined) {
      const result = { nr_exchanged: i, extents: done, address_bits: addressBits };
      const failure = refused('ENOMEM', op,
        `no free machine-contiguous extent of order ${order} below 2^${addressBits} (${i} of ${extents} exchanged)`,
        { extra: { nr_exchanged: i, extents: done } });
      if (i === 0) throw failure;
      return { result, failure };
    }
    moveExtent(st, domid, g, size, mfn);
    st.run('INSERT INTO pinned_extents (domid, gpfn, mfn, ord) VALUES (?, ?, ?, ?)', domid, g, mfn, order);
    done.push({ gpfn: g, mfn, order });
  }
  return { result: { nr_exchanged: extents, extents: done, address_bits: addressBits } };
}

export function putDmaBuf(st: StateStore, caller: number, domid: number, gpfn: number, extents: number, order: number) {
  const op = 'mem.put-dma-buf';
  target(st, caller, domid, op);
  for (let i = 0; i < extents; i++) {
    const g = gpfn + i * 2 ** order;
    const row = st.get<{ ord: number }>('SELECT ord FROM pinned_extents WHERE domid = ? AND gpfn = ?', domid, g);
    if (!row || row.ord !== order) throw refused('EINVAL', op, `no pinned extent of order ${order} at gpfn ${g}`);
    st.run('DELETE FROM pinned_extents WHERE domid = ? AND gpfn = ?', domid, g);
  }
  return { unpinned: extents };
}

export function listPinned(st: StateStore, domid: number): { extents: DmaExtent[] } {
  if (!liveDomain(st, domid)) throw refused('ESRCH', 'mem.list', `no domain ${domid}`);
  return {
    extents: st.all<{ gpfn: number; mfn: number; ord: number }>(
      'SELECT gpfn, mfn, ord FROM pinned_extents WHERE domid = ? ORDER BY gpfn', domid)
      .map((r) => ({ gpfn: r.gpfn, mfn: r.mfn, order: r.ord })),
  };
}
