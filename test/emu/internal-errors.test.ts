/**
 * One classification of failures: an exception that no rule raised on purpose (a TypeError in a
 * rule, say) is an internal error — EIO, exit 1, "internal error: …" — wherever it surfaces, and
 * the transaction it broke leaves nothing behind. Only what the state file itself cannot do is
 * "unavailable" (exit 3).
 */
import { describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { call, invoke } from '../../src/backend/calls.js';
import { BackendPool } from '../../src/backend/pool.js';
import { BatchRunner, type CommandSource } from '../../src/cli/batch-run.js';
import { readScript } from '../../src/cli/batch-script.js';
import { toXgtError } from '../../src/cli/base.js';
import { asXgtError, XgtError } from '../../src/errors.js';
import { agentFailure } from '../../src/native/agent/host.js';
import { StateStore, storeFailure } from '../../src/emu/store.js';
import GnttabGrant from '../../src/commands/gnttab/grant.js';
import { freshHostPerTest } from '../helpers/emu-host.js';

const host = freshHostPerTest();

/** Makes the store's `n`th write (and every one after it) throw as a buggy rule would. */
function breakWritesAfter(st: StateStore, n: number): void {
  const run = st.run.bind(st);
  let writes = 0;
  st.run = (sql: string, ...params: unknown[]) => {
    if (++writes > n) throw new TypeError("Cannot read properties of undefined (reading 'ref')");
    return run(sql, ...params);
  };
}

function expectInternal(e: unknown, op: string): void {
  expect(e).toBeInstanceOf(XgtError);
  const x = e as XgtError;
  expect({ kind: x.kind, code: x.code, exit: x.exitCode, errno: x.errno, op: x.op }).toEqual({ kind: 'refused', code: 'EIO', exit: 1, errno: 5, op });
  expect(x.message).toMatch(/^internal error: Cannot read properties of undefined/);
  expect(x.cause).toBeInstanceOf(TypeError);
}

describe('an exception inside an emulator rule', () => {
  it('is an internal error (EIO, exit 1), not "backend unavailable", and changes nothing', async () => {
    const before = await host.snap();
    breakWritesAfter(host.dom0.st, 2);
    const failure = await invoke(host.dom0, call('gnttab.grant', 0, 3, false)).catch((e: unknown) => e);
    expectInternal(failure, 'emu');
    expect(await host.snap()).toEqual(before);
  });

  it('is the same internal error as a batch line: its JSON envelope says EIO and the batch exits 1', async () => {
    const pool = new BackendPool();
    const choice = { backend: 'emu' as const, state: host.dom0.st.path };
    const b = await pool.get(choice);
    breakWritesAfter((b as unknown as { st: StateStore }).st, 0);
    const printed: string[] = [];
    const source: CommandSource = { commandIDs: ['gnttab:grant'], findCommand: () => ({ load: async () => GnttabGrant }) };
    const prev = process.env.XGT_STATE;
    process.env.XGT_STATE = host.dom0.st.path;
    try {
      const run = await new BatchRunner(source).run(readScript('gnttab grant --to 0 --backend emu\n'), {
        keepGoing: false, pool, print: (t) => printed.push(t),
      });
      expect(run).toMatchObject({ ran: 1, failed: 1, firstFailure: 1 });
    } finally {
      pool.close();
      if (prev === undefined) delete process.env.XGT_STATE; else process.env.XGT_STATE = prev;
    }
    const { error } = JSON.parse(printed.join(''));
    expect(error).toMatchObject({ code: 'EIO', errno: 5 });
    expect(error.message).toMatch(/^internal error: /);
  });
});

describe('the one classification', () => {
  it('keeps our own errors as they are and makes anything else an internal error, in the CLI and the agent alike', () => {
    const refusal = new XgtError('refused', 'EINVAL', 'gnttab.map', 'no');
    for (const classify of [(e: unknown) => asXgtError(e, 'x.y'), (e: unknown) => toXgtError(e, 'x.y'), agentFailure]) {
      expect(classify(refusal)).toBe(refusal);
      const bug = classify(new TypeError("Cannot read properties of undefined (reading 'ref')"));
      expect([bug.code, bug.exitCode, bug.kind]).toEqual(['EIO', 1, 'refused']);
    }
  });

  it('calls a parse error of oclif (or of the fast path) a usage error', () => {
    const parseError = Object.assign(new Error('Expected --to=x to be a number'), { oclif: { exit: 2 } });
    expect([toXgtError(parseError, 'gnttab.grant').kind, toXgtError(parseError, 'gnttab.grant').exitCode]).toEqual(['usage', 2]);
  });

  it('leaves SQLite failures of the state file "unavailable" (exit 3)', () => {
    const busy = new Database.SqliteError('database is locked', 'SQLITE_BUSY');
    const e = storeFailure(busy, '/tmp/x.db');
    expect([e.kind, e.exitCode]).toEqual(['unavailable', 3]);
    expect(e.message).toMatch(/locked by another process/);
    expectInternal(storeFailure(new TypeError("Cannot read properties of undefined (reading 'ref')"), '/tmp/x.db', 'gnttab.map'), 'gnttab.map');
  });
});
