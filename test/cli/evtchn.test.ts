/** Event channels between processes: a wait in one process wakes when another notifies. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../helpers/tmp.js';
import { BIN, xgt } from '../helpers/cli.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());

describe('evtchn between processes', () => {
  it('bind, notify from one process, wait in another; unbind leaves no port behind', async () => {
    const env = { XGT_STATE: tmp.file('e.db') };
    await xgt(['domain', 'create', '--name', 'fe'], env);
    const gp = (await xgt(['--as', '1', 'evtchn', 'bind', '--unbound', '--remote', '0', '--json'], env)).json.port;
    expect(gp).toBe(2); // its kernel holds port 1: VIRQ_TIMER
    const b = await xgt(['evtchn', 'bind', '--interdomain', '--remote', '1', '--remote-port', String(gp), '--json'], env);
    expect(b.json).toEqual({ port: 18, state: 'interdomain', remote_domid: 1, remote_port: 2 });
    expect((await xgt(['evtchn', 'wait', '18', '--timeout', '0', '--json'], env)).json).toEqual({ ports: [18] });

    const waiter = xgt(['--as', '1', 'evtchn', 'wait', '--timeout', '10000', '--json'], env);
    await new Promise((r) => setTimeout(r, 700));
    const sent = Date.now();
    expect((await xgt(['evtchn', 'notify', '18', '--json'], env)).json).toEqual({ port: 18 });
    const w = await waiter;
    expect(w.json).toEqual({ ports: [2] });
    expect(Date.now() - sent).toBeLessThan(5000);

    const t = await xgt(['--as', '1', 'evtchn', 'wait', '--timeout', '0', '--json'], env);
    expect(t.exitCode).toBe(1);
    expect(t.json.error).toMatchObject({ code: 'ETIMEDOUT', errno: 110 });

    await xgt(['evtchn', 'unbind', '18'], env);
    await xgt(['--as', '1', 'evtchn', 'unbind', '2'], env);
    const l = await xgt(['evtchn', 'list', '--json'], env);
    expect(l.json.ports.filter((p: { bound_here: boolean }) => p.bound_here)).toEqual([]);
    expect((await xgt(['evtchn', 'list', '--domid', '1', '--json'], env)).json.ports.map((p: { port: number; virq: number }) => [p.port, p.virq]))
      .toEqual([[1, 0]]);
    const human = await xgt(['evtchn', 'list'], env);
    expect(human.stdout.split('\n')[0]).toMatch(/^Port\s+State\s+Remote domain\s+Remote port\s+VIRQ\s+Pending\s+Masked\s+Bound by xgt$/);
  });

  it('bind needs exactly one kind and its remote', async () => {
    const env = { XGT_STATE: tmp.file('u.db') };
    for (const args of [['evtchn', 'bind'], ['evtchn', 'bind', '--unbound'], ['evtchn', 'bind', '--interdomain', '--remote', '1'],
      ['evtchn', 'bind', '--unbound', '--virq', '1'], ['evtchn', 'notify', 'x'], ['evtchn', 'wait', '--timeout', '-1']]) {
      const r = await xgt(args, env);
      expect([args, r.exitCode]).toEqual([args, 2]);
    }
  });

  it('in a batch, what came before a blocking wait is committed and printed before it blocks', async () => {
    const env = { XGT_STATE: tmp.file('bw.db') };
    await xgt(['evtchn', 'bind', '--unbound', '--remote', '0'], env);
    const script = tmp.file('bw.txt');
    writeFileSync(script, 'evtchn bind --interdomain --remote 0 --remote-port 18\nevtchn wait 19 --timeout 0\nevtchn wait 18 --timeout 20000\n');
    const child = execa('node', [BIN, 'batch', script], { env: { ...process.env, ...env }, reject: false });
    const firstTwo = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += String(d);
        if (out.split('\n').length > 2) resolve(out);
      });
    });
    expect(firstTwo.split('\n').slice(0, 2).map((l) => JSON.parse(l))).toEqual([
      { line: 1, port: 19, state: 'interdomain', remote_domid: 0, remote_port: 18 }, { line: 2, ports: [19] },
    ]);
    expect((await xgt(['evtchn', 'notify', '19'], env)).exitCode).toBe(0); // the other side, told the port, notifies
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n')[2])).toEqual({ line: 3, ports: [18] });
  }, 60000);

  it('a reused port starts with no event, and a killed wait takes nothing with it (test/xen/wait-ends.sh, as in the dom0)', async () => {
    const r = await execa('bash', [fileURLToPath(new URL('../xen/wait-ends.sh', import.meta.url)), 'emu'], { reject: false });
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe('ok - a reused port starts with no event\nok - a killed wait takes nothing with it');
  }, 60000);
});
