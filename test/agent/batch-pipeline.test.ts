/**
 * The agent's pipelined batch (src/cli/batch-pipeline.ts) prepares groups of lines, runs their
 * backend steps back to back, then lets them print. It must do exactly what the sequential loop
 * does: the same output and exit code, steps in line order, none after a failure (unless
 * --keep-going), a wait only after what precedes it was printed, and a step it cannot vouch for
 * finished before the next starts. Run here on a stand-in backend whose calls keep a probe as
 * the agent's own link does (src/native/agent/batch.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../helpers/tmp.js';
import { AGENT_COMMANDS } from '../../src/cli/batch-lines.js';
import { type Call, CallQueue } from '../../src/cli/batch-calls.js';
import { refused as refusal } from '../../src/errors.js';

const fast = fileURLToPath(new URL('../../dist/xgt-fast.cjs', import.meta.url));
type Run = (text: string, env: NodeJS.ProcessEnv, keepGoing: boolean, backend: unknown, send: (t: string) => void,
  probe?: CallQueue) => Promise<{ ran: number; firstFailure: number; replayed?: number }>;
const load = async () => ((await import(fast)) as { runBatchScript: Run }).runBatchScript;

type Handler = (...args: any[]) => unknown;

/**
 * The backend's calls through the pipeline's queue, as the agent's link makes them: maps and
 * unmaps a run at a time ("together", logged with the run's length), the rest one by one.
 */
function queueOn(handlers: Record<string, Handler>, log: string[]): CallQueue {
  const make = ({ op, args }: Call) => {
    log.push(`${op} ${JSON.stringify(args)}`);
    return handlers[op](...args);
  };
  return new CallQueue({
    one: async (call) => make(call),
    fitTogether: (calls) => {
      let n = 0;
      while (n < calls.length && /^gnttab\.(un)?map$/.test(calls[n].op)) n++;
      return n;
    },
    together: (calls) => {
      log.push(`together ${calls.length}`);
      const results: unknown[] = [];
      for (const call of calls) {
        try {
          results.push(make(call));
        } catch (failure) {
          return { results, failure };
        }
      }
      return { results };
    },
  });
}

/** A backend whose calls go through `queue`. */
function standIn(handlers: Record<string, Handler>, queue: CallQueue) {
  const group = (g: string) => new Proxy({}, {
    get: (_t, m) => (...args: unknown[]) => {
      const name = `${g}.${String(m)}`;
      if (!(name in handlers)) throw new Error(`the stand-in has no ${name}`);
      return queue.call(name, args);
    },
  });
  return { name: 'native', gnttab: group('gnttab'), evtchn: group('evtchn'), dmop: group('dmop'), close() {} };
}

/** gntdev as far as map and unmap go: indexes from 0, unmapping one that is not there refused. */
function gntdev() {
  const maps = new Map<number, number[]>();
  let next = 0;
  return {
    'gnttab.map': (domid: number, refs: number[]) => {
      if (refs.includes(666)) throw new Error('ref 666 refused');
      const index = next++;
      maps.set(index, refs);
      return { index, domid, refs, count: refs.length, readonly: false };
    },
    'gnttab.unmap': (index: number) => {
      const refs = maps.get(index);
      if (!refs) throw new Error(`no mapping at ${index}`);
      maps.delete(index);
      return { index, domid: 0, refs, count: refs.length };
    },
    'evtchn.notify': (port: number) => ({ port }),
  };
}

async function both(text: string, keepGoing = false) {
  const run = await load();
  const result: Record<string, { out: string; log: string[]; outcome: unknown }> = {};
  for (const mode of ['pipelined', 'sequential']) {
    const log: string[] = [];
    const handlers = gntdev();
    const queue = queueOn(handlers, log);
    let out = '';
    const env = mode === 'sequential' ? { XGT_BATCH_PIPELINE: '0' } : {};
    const outcome = await run(text, env, keepGoing, standIn(handlers, queue), (t) => { out += t; }, queue);
    result[mode] = { out, log, outcome };
  }
  // the same calls in the same order; pipelined, runs of them together
  const calls = (log: string[]) => log.filter((l) => !l.startsWith('together'));
  expect({ ...result.pipelined, log: calls(result.pipelined.log) }).toEqual(result.sequential);
  return result.pipelined;
}

const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

describe("the agent's pipelined batch", () => {
  it('does what the sequential loop does, steps in line order, across groups', async () => {
    const r = await both(`${lines(150, (i) => `gnttab map --domid 0 ${i + 8}`)}\n${lines(150, (i) => `gnttab unmap ${149 - i}`)}\n`);
    expect(r.outcome).toMatchObject({ ran: 300, firstFailure: 0 });
    // the first line's call is made alone (it opens the backend), then a group's calls at a time
    expect(r.log.filter((l) => l.startsWith('together'))).toEqual(['together 127', 'together 128', 'together 44']);
    expect(r.log).toHaveLength(303);
    expect(r.log[0]).toBe('gnttab.map [0,[8],false]');
    expect(r.log[302]).toBe('gnttab.unmap [0]');
    const out = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => o.index)).toEqual([...Array(150).keys(), ...[...Array(150).keys()].reverse()]);
  }, 30000);

  it('runs no step after a refused one, and prints up to it', async () => {
    const r = await both('gnttab map --domid 0 8\ngnttab map --domid 0 666\ngnttab map --domid 0 9\nevtchn notify 3\n');
    expect(r.outcome).toMatchObject({ ran: 2, firstFailure: 1 });
    expect(r.log).toEqual(['gnttab.map [0,[8],false]', 'together 2', 'gnttab.map [0,[666],false]']);
    const out = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(2);
    expect(out[1].error.code).toBe('EIO');
  }, 30000);

  it('runs no step after a line its command refuses before reaching the backend', async () => {
    const r = await both('gnttab map --domid 0 8\ngnttab map --domid 70000 8\ngnttab unmap 0\n');
    expect(r.outcome).toMatchObject({ ran: 2, firstFailure: 2 });
    expect(r.log).toEqual(['gnttab.map [0,[8],false]']);
    expect(JSON.parse(r.out.trimEnd().split('\n')[1]).error.message).toMatch(/domid/);
  }, 30000);

  it('with --keep-going runs every line and keeps the first failure', async () => {
    const r = await both('gnttab unmap 5\ngnttab map --domid 0 8\ngnttab map --domid x 8\ngnttab unmap 0\n', true);
    expect(r.outcome).toMatchObject({ ran: 4, firstFailure: 1 });
    // the usage error (line 3) makes no call: lines 2 and 4 go together
    expect(r.log).toEqual(['gnttab.unmap [5]', 'together 2', 'gnttab.map [0,[8],false]', 'gnttab.unmap [0]']);
  }, 30000);

  it('with --keep-going goes on after a call refused in the middle of a run made together', async () => {
    const r = await both('gnttab map --domid 0 8\ngnttab map --domid 0 666\ngnttab map --domid 0 9\nevtchn notify 3\n'
      + 'gnttab unmap 1\ngnttab unmap 0\n', true);
    expect(r.outcome).toMatchObject({ ran: 6, firstFailure: 1 });
    expect(r.log).toEqual(['gnttab.map [0,[8],false]', 'together 2', 'gnttab.map [0,[666],false]', 'together 1',
      'gnttab.map [0,[9],false]', 'evtchn.notify [3]', 'together 2', 'gnttab.unmap [1]', 'gnttab.unmap [0]']);
    const out = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => o.index ?? o.port ?? o.error.code)).toEqual([0, 'EIO', 1, 3, 1, 0]);
  }, 30000);

  it('runs a repeated replayable line by its first step: the same calls, output and exit codes as its command', async () => {
    const run = await load();
    // every replayable command, succeeding and failing, each line 15 times, between others (a
    // pipelined group's lines start together: only the lines of later groups find a step to replay)
    const block = ['gnttab grant --to 0', 'gnttab map --domid 0 8', 'gnttab unmap 0', 'evtchn notify 3', 'evtchn notify 666',
      'gnttab map --domid 0 666', 'evtchn bind --unbound --remote 0', 'evtchn unbind 5', 'gnttab ungrant 0', 'gnttab ungrant 99',
      'gnttab unmap 0', 'gnttab list'];
    const all: string[] = Array(15).fill(block).flat();
    const text = `${all.join('\n')}\n`;
    const seen: Record<string, unknown> = {};
    for (const pipeline of ['1', '0']) {
      for (const replay of ['1', '0']) {
        const log: string[] = [];
        let grants = 0;
        const handlers = {
          ...gntdev(),
          'gnttab.grant': (to: number, pages: number, readonly: boolean) => ({ domid: 0, to, index: grants++, refs: [8], readonly, pages }),
          'gnttab.ungrant': (index: number) => {
            if (index === 99) throw refusal('EINVAL', 'gnttab.ungrant', 'no grant run at 99');
            return { index, refs: [8], deferred: [] };
          },
          'gnttab.list': () => ({ granted: [], mapped: [], usage: { grants } }),
          'evtchn.notify': (port: number) => {
            if (port === 666) throw refusal('ENOENT', 'evtchn.notify', 'no port 666');
            return { port };
          },
          'evtchn.bindUnbound': (remote: number) => ({ port: 5, remote }),
          'evtchn.unbind': (port: number) => ({ port }),
        };
        const queue = queueOn(handlers, log);
        let out = '';
        const env = { XGT_BATCH_PIPELINE: pipeline, XGT_BATCH_REPLAY: replay };
        const outcome = await run(text, env, true, standIn(handlers, queue), (t) => { out += t; }, queue);
        expect(outcome).toMatchObject({ ran: 180, firstFailure: 1 });
        const { replayed } = outcome;
        if (replay === '0') expect(replayed).toBe(0);
        // every repeat of a replayable line (11 of the block's 12 lines; the block has
        // 'gnttab unmap 0' twice): pipelined too, as a group ends before a repeat of its own line
        else expect(replayed).toBe(11 * 15 - 10);
        seen[`pipeline=${pipeline} replay=${replay}`] = { out, calls: log.filter((l) => !l.startsWith('together')) };
      }
    }
    const [first, ...rest] = Object.values(seen);
    for (const other of rest) expect(other).toEqual(first);
    const out = (first as { out: string }).out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(180);
    // refused in the backend (ENOENT, EINVAL) and failing in it (EIO), replayed or not
    expect(new Set(out.filter((o) => o.error).map((o) => o.error.code))).toEqual(new Set(['ENOENT', 'EIO', 'EINVAL']));
  }, 30000);

  it('stops a replayed group at a refused repeat: nothing after it made, printed or counted as replayed', async () => {
    const run = await load();
    // 64 pairs (the first group, run by their commands), then 10 pairs, an unmap of nothing, 20 pairs
    const pair = ['gnttab map --domid 0 8', 'gnttab unmap 0'];
    const all = [...Array(74).fill(pair).flat(), 'gnttab unmap 0', ...Array(20).fill(pair).flat()];
    const seen: Record<string, unknown> = {};
    for (const pipeline of ['1', '0']) {
      for (const replay of ['1', '0']) {
        const log: string[] = [];
        // the lowest free index, as gntdev hands them out
        const live = new Set<number>();
        const handlers = {
          'gnttab.map': (domid: number, refs: number[]) => {
            let index = 0;
            while (live.has(index)) index++;
            live.add(index);
            return { index, domid, refs, count: refs.length, readonly: false };
          },
          'gnttab.unmap': (index: number) => {
            if (!live.delete(index)) throw refusal('ENOENT', 'gnttab.unmap', `no mapping at index ${index}`);
            return { index, domid: 0, refs: [8], count: 1 };
          },
        };
        const queue = queueOn(handlers, log);
        let out = '';
        const outcome = await run(`${all.join('\n')}\n`, { XGT_BATCH_PIPELINE: pipeline, XGT_BATCH_REPLAY: replay }, false,
          standIn(handlers, queue), (t) => { out += t; }, queue);
        expect(outcome).toMatchObject({ ran: 149, firstFailure: 1 });
        // pipelined too, the first group ends before the first repeat: every repeat replays
        expect(outcome.replayed).toBe(replay === '0' ? 0 : 147);
        seen[`pipeline=${pipeline} replay=${replay}`] = { out, calls: log.filter((l) => !l.startsWith('together')) };
      }
    }
    const [first, ...rest] = Object.values(seen);
    for (const other of rest) expect(other).toEqual(first);
    const { out, calls } = first as { out: string; calls: string[] };
    const printed = out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(printed).toHaveLength(149);
    expect(printed[148].error).toMatchObject({ code: 'ENOENT', op: 'gnttab.unmap' });
    expect(calls).toHaveLength(149);
  }, 30000);

  it('replays a line by its call alone only where its step is that call: a result the backend reworks stays reworked', async () => {
    const run = await load();
    const text = `${lines(300, (i) => (i % 2 ? 'gnttab unmap 0' : 'gnttab map --domid 0 8'))}\n`;
    const seen: Record<string, unknown> = {};
    for (const replay of ['1', '0']) {
      for (const rework of [false, true]) {
        const log: string[] = [];
        let live = false;
        const handlers = {
          'gnttab.map': (domid: number, refs: number[]) => {
            live = true;
            return { index: 0, domid, refs, count: refs.length, readonly: false };
          },
          'gnttab.unmap': (index: number) => {
            if (!live) throw refusal('ENOENT', 'gnttab.unmap', `no mapping at index ${index}`);
            live = false;
            return { index, domid: 0, refs: [8], count: 1 };
          },
        };
        const queue = queueOn(handlers, log);
        const backend = standIn(handlers, queue);
        // a backend that adds to the call's result: its step is more than the call
        const map = backend.gnttab as Record<string, (...a: unknown[]) => Promise<Record<string, unknown>>>;
        const gnttab = rework ? {
          map: (...a: unknown[]) => map.map(...a).then((r) => ({ ...r, reworked: true })),
          unmap: (...a: unknown[]) => map.unmap(...a),
        } : backend.gnttab;
        let out = '';
        const outcome = await run(text, { XGT_BATCH_REPLAY: replay }, false, { ...backend, gnttab }, (t) => { out += t; }, queue);
        expect(outcome).toMatchObject({ ran: 300, firstFailure: 0, replayed: replay === '0' ? 0 : 298 });
        const printed = out.trimEnd().split('\n').map((l) => JSON.parse(l));
        expect(printed.filter((o) => o.reworked).length).toBe(rework ? 150 : 0);
        seen[`replay=${replay} rework=${rework}`] = { out, calls: log.filter((l) => !l.startsWith('together')) };
      }
    }
    expect(seen['replay=1 rework=true']).toEqual(seen['replay=0 rework=true']);
    expect(seen['replay=1 rework=false']).toEqual(seen['replay=0 rework=false']);
  }, 30000);

  it('ends a group before a repeat of its own line once a line: repeats replay, a line that cannot replay keeps full groups', async () => {
    const run = await load();
    const groups = async (text: string, env: NodeJS.ProcessEnv = {}) => {
      const handlers = { ...gntdev(), 'gnttab.list': () => ({ granted: [], mapped: [] }) };
      const queue = queueOn(handlers, []);
      let flushes = 0;
      const flush = queue.flush.bind(queue);
      queue.flush = (keepGoing) => { flushes++; return flush(keepGoing); };
      const outcome = await run(text, env, false, standIn(handlers, queue), () => {}, queue);
      return { flushes, replayed: outcome.replayed, ran: outcome.ran };
    };
    // 'gnttab list' cannot replay: a group of it alone (its call opens the backend), then groups
    // of 128, 128 and 43 — not a group a line
    expect(await groups(`${lines(300, () => 'gnttab list')}\n`)).toEqual({ flushes: 1 + 3, replayed: 0, ran: 300 });
    // distinct lines, or no replay: groups of 128 from the start (the first line's call, which
    // opens the backend, flushed on its own)
    expect(await groups(`${lines(300, (i) => `gnttab map --domid 0 ${i + 8}`)}\n`)).toEqual({ flushes: 2 + 2, replayed: 0, ran: 300 });
    expect(await groups(`${lines(300, () => 'gnttab list')}\n`, { XGT_BATCH_REPLAY: '0' })).toEqual({ flushes: 2 + 2, replayed: 0, ran: 300 });
  }, 30000);

  it('prints what came before a wait that may block before the wait starts', async () => {
    const run = await load();
    const sent: string[] = [];
    const waited: string[] = [];
    const handlers = {
      ...gntdev(),
      'evtchn.wait': (ports: number[]) => { waited.push(sent.join('')); return Promise.resolve({ ports }); },
    };
    const queue = queueOn(handlers, []);
    const outcome = await run('gnttab map --domid 0 8\ngnttab map --domid 0 9\nevtchn wait 5\ngnttab unmap 0\n', {}, false,
      standIn(handlers, queue), (t) => { sent.push(t); }, queue);
    expect(outcome).toMatchObject({ ran: 4, firstFailure: 0 });
    expect(waited[0].trimEnd().split('\n')).toHaveLength(2);
  }, 30000);

  it('finishes a step that did not answer at once before the next step runs', async () => {
    const run = await load();
    const log: string[] = [];
    let notified = 0;
    const handlers = {
      ...gntdev(),
      // answers later, as a device that had to wait would
      'evtchn.notify': (port: number) => new Promise((resolve) => setTimeout(() => { notified++; resolve({ port }); }, 20)),
      'gnttab.map': (domid: number, refs: number[]) => {
        log.push(`map after ${notified} notify`);
        return { index: 0, domid, refs, count: refs.length, readonly: false };
      },
    };
    const queue = queueOn(handlers, []);
    const outcome = await run('evtchn notify 3\ngnttab map --domid 0 8\nevtchn notify 4\ngnttab map --domid 0 9\n', {}, false,
      standIn(handlers, queue), () => {}, queue);
    expect(outcome).toMatchObject({ ran: 4, firstFailure: 0 });
    expect(log).toEqual(['map after 1 notify', 'map after 2 notify']);
  }, 30000);

  it('has every command the agent may run reach its backend once, as one step', async () => {
    const ids = [...AGENT_COMMANDS];
    const tmp = tmpDir();
    const script = tmp.file('all.txt');
    writeFileSync(script, ids.map((id) => `${id} ${SAMPLE_ARGS[id]}`).join('\n'));
    const queueModule = fileURLToPath(new URL('../../dist/cli/batch-calls.js', import.meta.url));
    const { stdout } = await execa('node', [fileURLToPath(new URL('fixtures/steps-per-line.mjs', import.meta.url)), fast, queueModule, script]);
    tmp.cleanup();
    const { out, log } = JSON.parse(stdout) as { out: string; log: string[] };
    expect(out).not.toMatch(/reached its backend twice/);
    // one call a line, in line order: each command's backend group is its first word
    expect(log.map((call) => call.split('.')[0])).toEqual(ids.map((id) => id.split(' ')[0]));
  }, 30000);
});

/** Arguments that get each command past its own checks to its backend call. */
const SAMPLE_ARGS: Record<string, string> = {
  'gnttab grant': '--to 0', 'gnttab ungrant': '0', 'gnttab map': '--domid 0 8', 'gnttab unmap': '0', 'gnttab list': '',
  'gnttab read': '--index 0', 'gnttab write': '--index 0 --data x', 'gnttab limit': '', 'evtchn bind': '--unbound --remote 0',
  'evtchn notify': '3', 'evtchn unbind': '3', 'evtchn wait': '3 --timeout 0', 'evtchn list': '',
  'dmop create-ioreq-server': '--domid 1', 'dmop destroy-ioreq-server': '--domid 1 --id 0',
  'dmop map-mem-type': '--domid 1 --id 0 --type ioreq_server --access write', 'dmop set-mem-type': '--domid 1 --type ram_rw --first-pfn 0 --count 1',
  'dmop list': '--domid 1',
};
