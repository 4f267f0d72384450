/**
 * NativeGnttab.runTogether (the agent's grant maps and unmaps made by one device call) must
 * give what map() and unmap() one by one give — results, refusals, and the books that list()
 * and later calls read — on a stand-in gntdev. Its device half, gntdevRun in addon/gnttab.c, runs
 * against the real one in test/xen/batch-in-agent.sh.
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Addon } from '../../src/native/addon.js';
import type { Devices } from '../../src/native/agent/devices.js';
import { type GrantCall, NativeGnttab } from '../../src/native/agent/gnttab.js';
import { HostView } from '../../src/native/agent/inspect.js';

const PAGE = 4096;
const EINVAL = 22;
const GNTST_BAD_GNTREF = -4;

/**
 * gntdev as far as these calls go: MAP_GRANT_REF takes any refs and hands out the lowest free
 * index; mmap of a mapping with a ref its domain never granted fails with EINVAL (as the real
 * driver answers every refused map), and GRANT_COPY says why. gntdevRun follows addon/gnttab.c.
 */
function standInGntdev(granted: Set<number>, log: string[]) {
  const maps = new Map<number, { refs: number[]; mapped?: number }>();
  const mappings = new Map<number, { fd: number; index: number; len: number }>();
  const fail = (errno: number) => Object.assign(new Error(`errno ${errno}`), { errno });
  const freeIndex = (count: number) => {
    for (let at = 0; ; at += PAGE) {
      const clash = [...maps.entries()].some(([i, m]) => at < i + m.refs.length * PAGE && i < at + count * PAGE);
      if (!clash) return at;
    }
  };
  const newId = () => {
    let id = 1;
    while (mappings.has(id)) id++;
    return id;
  };
  const a = {
    gntdevMap(_fd: number, _domid: number, refs: number[]) {
      const index = freeIndex(refs.length);
      maps.set(index, { refs });
      log.push(`MAP ${index}`);
      return index;
    },
    gntdevUnmap(_fd: number, index: number) {
      if (!maps.delete(index)) throw fail(EINVAL);
      log.push(`UNMAP ${index}`);
    },
    mmap(fd: number, length: number, writable: boolean, index: number) {
      const m = maps.get(index);
      if (!m || m.refs.some((r) => !granted.has(r))) throw fail(EINVAL);
      const id = newId();
      mappings.set(id, { fd, index, len: length });
      log.push(`mmap ${index} ${writable ? 'rw' : 'r'}`);
      return id;
    },
    munmap(id: number) {
      mappings.delete(id);
      log.push(`munmap ${id}`);
    },
    gntdevCopyProbe(_fd: number, _domid: number, ref: number) {
      return granted.has(ref) ? 0 : GNTST_BAD_GNTREF;
    },
    gntdevRun(fd: number, ops: Float64Array, out: Float64Array) {
      log.push('run');
      let at = 0;
      let done = 0;
      while (at < ops.length) {
        if (ops[at] === 1) {
          const refs = [...ops.subarray(at + 4, at + 4 + ops[at + 3])];
          const index = a.gntdevMap(fd, ops[at + 1], refs);
          let id: number;
          try {
            id = a.mmap(fd, refs.length * PAGE, ops[at + 2] === 1, index);
          } catch {
            a.gntdevUnmap(fd, index);
            return done;
          }
          out.set([index, id], 2 * done);
          at += 4 + refs.length;
        } else {
          const hinted = mappings.get(ops[at + 2]);
          log.push(`hint ${hinted?.index === ops[at + 1] ? 'found' : 'none'}`);
          const entry = [...mappings.entries()].find(([, m]) => m.fd === fd && m.index === ops[at + 1]);
          if (!entry) return done;
          a.gntdevUnmap(fd, ops[at + 1]);
          a.munmap(entry[0]);
          out.set([entry[0], entry[1].len / PAGE], 2 * done);
          at += 3;
        }
        done++;
      }
      return done;
    },
  };
  return a;
}

function gnttabOn(granted: number[]) {
  const log: string[] = [];
  const a = standInGntdev(new Set(granted), log);
  const devices = { a: a as unknown as Addon, gntalloc: 3, gntdev: 4, evtchn: 5, privcmd: 6, close() {} } as Devices;
  return { g: new NativeGnttab(devices, 0, new HostView(devices, 0)), log };
}

const map = (domid: number, refs: number[], readonly = false): GrantCall => ({ op: 'gnttab.map', args: [domid, refs, readonly] });
const unmap = (index: number): GrantCall => ({ op: 'gnttab.unmap', args: [index] });

/** The calls one by one, as the agent makes them outside a pipelined batch. */
function oneByOne(g: NativeGnttab, calls: GrantCall[]) {
  const results: unknown[] = [];
  for (const { op, args } of calls) {
    try {
      results.push(op === 'gnttab.map' ? g.map(args[0] as number, args[1] as number[], args[2] as boolean) : g.unmap(args[0] as number));
    } catch (failure) {
      return { results, failure };
    }
  }
  return { results };
}

const mapped = (g: NativeGnttab) => g.list(0).mapped;

describe('NativeGnttab.runTogether', () => {
  // list() asks the hypervisor for the table's size and the other domains' tables: not this test's business
  beforeAll(() => {
    jest.spyOn(HostView.prototype, 'tableSize').mockReturnValue({ nr_frames: 1, max_nr_frames: 64 });
    jest.spyOn(HostView.prototype, 'rawDomains').mockReturnValue([]);
  });

  const calls = [map(0, [8]), map(0, [9, 10], true), unmap(0), map(0, [8]), unmap(PAGE), map(0, [10, 9, 8])];

  it('gives the results and books that the calls made one by one give, in one device call', () => {
    const together = gnttabOn([8, 9, 10]);
    const alone = gnttabOn([8, 9, 10]);
    const r = together.g.runTogether(calls);
    expect(r).toEqual(oneByOne(alone.g, calls));
    expect(r.failure).toBeUndefined();
    expect(mapped(together.g)).toEqual(mapped(alone.g));
    // the same device operations, in the same order, from one call into the addon
    expect(together.log.filter((l) => l === 'run')).toHaveLength(1);
    expect(together.log.filter((l) => l !== 'run' && !l.startsWith('hint'))).toEqual(alone.log);
    // an unmap of a mapping made in the same call has no id to give; the others do
    expect(together.log.filter((l) => l.startsWith('hint'))).toEqual(['hint none', 'hint none']);
    const before = gnttabOn([8, 9, 10]);
    before.g.runTogether([map(0, [8])]);
    before.g.runTogether([unmap(0)]);
    expect(before.log.filter((l) => l.startsWith('hint'))).toEqual(['hint found']);
    // and what it made can be used and undone the ordinary way
    expect(together.g.unmap(0)).toEqual(alone.g.unmap(0));
    expect(mapped(together.g)).toEqual(mapped(alone.g));
  });

  it('stops at a refused map with the refusal map() gives, leaving nothing of it mapped and nothing after it made', () => {
    const withBad = [map(0, [8]), map(0, [8, 666]), map(0, [9])];
    const together = gnttabOn([8, 9]);
    const alone = gnttabOn([8, 9]);
    const r = together.g.runTogether(withBad);
    const expected = oneByOne(alone.g, withBad);
    expect(r.results).toEqual(expected.results);
    expect(r.failure).toEqual(expected.failure);
    expect(r.failure).toMatchObject({ code: 'EINVAL', gntst: GNTST_BAD_GNTREF });
    expect(mapped(together.g)).toEqual([{ index: 0, domid: 0, refs: [8], readonly: false }]);
    expect(together.log.filter((l) => l.startsWith('MAP')).length).toBe(together.log.filter((l) => l.startsWith('UNMAP')).length + 1);
  });

  it('refuses an unmap of an index it holds no mapping at as unmap() does, after making the calls before it', () => {
    const together = gnttabOn([8]);
    const alone = gnttabOn([8]);
    const withStray = [map(0, [8]), unmap(PAGE), map(0, [8])];
    const r = together.g.runTogether(withStray);
    expect(r).toEqual(oneByOne(alone.g, withStray));
    expect(r.failure).toMatchObject({ code: 'ENOENT' });
    expect(r.results).toHaveLength(1);
  });

  it('takes only the calls the device call can carry', () => {
    expect(NativeGnttab.together(map(0, [8]))).toBe(true);
    expect(NativeGnttab.together(unmap(4096))).toBe(true);
    expect(NativeGnttab.together(map(0, []))).toBe(false);
    expect(NativeGnttab.together(map(0, [8.5]))).toBe(false);
    expect(NativeGnttab.together(map(-1, [8]))).toBe(false);
    expect(NativeGnttab.together({ op: 'gnttab.map', args: [0, [8], null] })).toBe(false);
    expect(NativeGnttab.together(unmap(-4096))).toBe(false);
    expect(NativeGnttab.together({ op: 'evtchn.notify', args: [3] })).toBe(false);
  });
});
