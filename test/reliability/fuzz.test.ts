/**
 * Hostile arguments: 10,000 generated argument vectors (huge, negative, non-numeric, empty,
 * unicode, very long, NUL bytes, repeated flags, flags of other commands). Every one ends with
 * exit 0, 1, 2 or 3 and at most one line of error without a stack trace, and the host still
 * checks clean. They run as lines of `xgt batch` (one process; the same parsing and envelope as
 * a command line), and a sample of them as separate processes. XGT_LONG=1 runs 50,000.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../helpers/tmp.js';
import { xgt } from '../helpers/cli.js';

const tmp = tmpDir('xgt-fuzz-');
afterAll(() => tmp.cleanup());
const COUNT = process.env.XGT_LONG ? 50000 : 10000;

const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../../oclif.manifest.json', import.meta.url)), 'utf8')) as
  { commands: Record<string, { flags: Record<string, unknown> }> };
// batch would nest, emu import/export write files, agent talks to a native host
const SKIP = /^(batch|emu:import|emu:export|agent:)/;
const COMMANDS = Object.keys(manifest.commands).filter((c) => !SKIP.test(c));
// --state and --trace name files: the host is the test's own, and a trace would be appended to
// whatever a generated value names, in the working directory
const FILE_FLAGS = new Set(['state', 'trace']);
const FLAGS = [...new Set(Object.values(manifest.commands).flatMap((c) => Object.keys(c.flags)))].filter((f) => !FILE_FLAGS.has(f));
const VALUES = [
  '', ' ', '0', '1', '2', '8', '9', '18', '4096', '-1', '-0', '+1', '1.5', '1e3', '0x', '0x10', '0XFFFF', '0xffffffff',
  '0xffffffffffffffffffff', '4294967295', '4294967296', '65535', '65536', '2147483648', '9007199254740993',
  '99999999999999999999999999', '1000000000', 'NaN', 'Infinity', 'null', 'true', 'abc', '日本語', '١٢٣', '１２', '🦀',
  'a'.repeat(5000), '\u0000', '1\u00002', '--', '-', '--json', '--help', '$(reboot)', '; rm -rf /', '\\', "'", '"',
  'ram_rw', 'ioreq_server', 'write', 'none', 'hex', 'raw', 'hvm', 'pv', 'native', 'emu', 'auto', '512M', '64G', '0M',
];

function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function vectors(n: number, seed: number): string[][] {
  const rnd = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    const cmd = pick(COMMANDS);
    const argv = cmd.split(':');
    const own = Object.keys(manifest.commands[cmd].flags).filter((f) => !FILE_FLAGS.has(f));
    const k = Math.floor(rnd() * 5);
    for (let j = 0; j < k; j++) {
      const r = rnd();
      if (r < 0.55) argv.push(`--${pick(own.length ? own : FLAGS)}`, pick(VALUES));
      else if (r < 0.7) argv.push(`--${pick(FLAGS)}`, pick(VALUES)); // flags of other commands
      else if (r < 0.8) argv.push(`--${pick(own.length ? own : FLAGS)}`); // a flag without its value
      else argv.push(pick(VALUES)); // a stray argument
    }
    if (cmd === 'evtchn:wait') argv.push('--timeout', '0');
    if (rnd() < 0.1) argv.push(...argv.slice(cmd.split(':').length)); // every flag twice
    out.push(argv);
  }
  return out;
}

const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;

describe('hostile arguments', () => {
  const env = { XGT_STATE: tmp.file('fuzz.db') };

  it(`${COUNT} generated vectors: exit codes 0-3, one-line errors, no stack trace, a clean host`, async () => {
    await xgt(['domain', 'create', '--name', 'g', '--memory', '16M'], env);
    await xgt(['gnttab', 'grant', '--to', '1', '--pages', '2'], env);
    const vs = vectors(COUNT, 1234);
    vs.push(['gnttab', 'grant', '--to', '0', '--pages', '1000000000'], ['mem', 'get-dma-buf', '--extents', '4294967295', '--order', '12']);
    const file = tmp.file('fuzz.txt');
    writeFileSync(file, `${vs.map((v) => v.map(quote).join(' ')).join('\n')}\n`);
    const rss0 = process.memoryUsage().rss;
    const r = await xgt(['batch', '--keep-going', '--json', file], env);
    expect([0, 1, 2, 3]).toContain(r.exitCode);
    expect(r.stderr).toBe('');
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.length).toBe(vs.length);
    const codes: Record<string, number> = {};
    for (const row of rows) {
      if (!row.error) continue;
      codes[row.error.code] = (codes[row.error.code] ?? 0) + 1;
      expect(typeof row.error.message).toBe('string');
      expect(row.error.message).not.toMatch(/\n|\s+at \S+ \(.*:\d+:\d+\)/);
      expect(row.error.code).not.toBe('EIO'); // an internal error would be a bug
    }
    expect(rows.at(-2).error.code).toBe('ENOSPC');
    expect(process.memoryUsage().rss - rss0).toBeLessThan(512 * 1024 * 1024);
    process.stderr.write(`fuzz: ${rows.length} vectors, errors by code ${JSON.stringify(codes)}\n`);
    expect((await xgt(['emu', 'check', '--json'], env)).json).toMatchObject({ clean: true });
  }, 300000);

  it('an endless --file (/dev/zero) is refused once it outgrows any mapping, not read whole', async () => {
    const r = await xgt(['gnttab', 'write', '--ref', '8', '--file', '/dev/zero', '--json'], env);
    expect(r.exitCode).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/longer than any mapping/) });
  });

  it('a sample of them as real processes: exit 0-3, at most one line on stderr, no stack trace', async () => {
    const sample = vectors(60, 99).map((v) => v.map((w) => w.replace(/\u0000/g, '')));
    for (const v of sample) {
      const r = await xgt(v, env);
      expect([v, [0, 1, 2, 3].includes(r.exitCode)]).toEqual([v, true]);
      expect(r.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(1);
      expect(r.stderr).not.toMatch(/\s+at \S+ \(.*:\d+:\d+\)/);
    }
    expect((await xgt(['emu', 'check', '--json'], env)).json).toMatchObject({ clean: true });
  }, 300000);
});
