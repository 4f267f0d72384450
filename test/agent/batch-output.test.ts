/**
 * A native batch run by the agent (runBatchScript, as src/native/agent/batch.ts calls it) sends
 * its output in few, large parts — but everything before a wait that may block goes out before
 * the wait starts, since the other side may need to read it to send the event. A stand-in
 * backend's wait here returns only once the map line's result has been sent: without that
 * flush, the batch would never end.
 */
import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';

const fast = fileURLToPath(new URL('../../dist/xgt-fast.cjs', import.meta.url));
type Send = (text: string) => void;
type Run = (text: string, env: NodeJS.ProcessEnv, keepGoing: boolean, backend: unknown, send: Send) => Promise<unknown>;

function standIn(sent: string[]) {
  const mapped = { index: 0, domid: 1, refs: [8], count: 1, readonly: false };
  return {
    name: 'native',
    gnttab: { map: async () => mapped, unmap: async () => ({ ...mapped, readonly: undefined }) },
    evtchn: {
      notify: async (port: number) => ({ port }),
      // blocks until the peer has seen the map's result, as a real peer waiting on it would
      wait: (ports: number[]) => new Promise((resolve, reject) => {
        const giveUp = Date.now() + 5000;
        const check = () => {
          if (sent.join('').includes('"index":0')) resolve({ ports, delivered: ports });
          else if (Date.now() > giveUp) reject(new Error('the wait began before the result it waits on was sent'));
          else setTimeout(check, 5);
        };
        check();
      }),
    },
    close() {},
  };
}

describe("the agent's batch output", () => {
  it('goes out before a wait that may block, and in one part otherwise', async () => {
    const { runBatchScript } = (await import(fast)) as { runBatchScript: Run };
    const sent: string[] = [];
    const send = (t: string) => { sent.push(t); };
    const out = await runBatchScript('gnttab map --domid 1 8\nevtchn wait 5\nevtchn notify 5\n', {}, false, standIn(sent), send);
    expect(out).toEqual({ ran: 3, firstFailure: 0, replayed: 0 });
    // the map's result alone before the wait; the wait's and the notify's together at the end
    expect(sent.map((t) => t.trimEnd().split('\n').length)).toEqual([1, 2]);
    expect(JSON.parse(sent[0])).toMatchObject({ index: 0, domid: 1, refs: [8] });

    sent.length = 0;
    const lines = Array.from({ length: 300 }, () => 'gnttab map --domid 1 8').join('\n');
    expect(await runBatchScript(lines, {}, false, standIn(sent), send)).toEqual({ ran: 300, firstFailure: 0, replayed: 299 });
    expect(sent).toHaveLength(1);
  }, 30000);
});
