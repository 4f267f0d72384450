/**
 * The fast path's parser against oclif's, on the same command definitions: for thousands of
 * generated command lines, whatever the lite parser accepts it must parse exactly as oclif does
 * (flags, args, argv); the rest it must decline. It must also accept every plain invocation, or
 * the fast path would be a slow path in disguise.
 */
import { describe, expect, it } from '@jest/globals';
import { Flags, Parser } from '@oclif/core';
import { isFallback } from '../../src/cli/lite/fallback.js';
import { liteParse, type FlagDef, type ParseInput } from '../../src/cli/lite/parse.js';
import { commandFiles } from '../helpers/commands.js';

const files = commandFiles();

interface CommandStatics { flags?: Record<string, FlagDef>; baseFlags?: Record<string, FlagDef>; args?: Record<string, object>; strict?: boolean; enableJsonFlag?: boolean }

function inputOf(C: CommandStatics): ParseInput {
  const merged = { ...C.baseFlags, ...C.flags };
  return {
    flags: (C.enableJsonFlag ? { json: Flags.boolean({ description: 'Format output as json.', helpGroup: 'GLOBAL' }), ...merged } : merged) as Record<string, FlagDef>,
    args: (C.args ?? {}) as ParseInput['args'],
    strict: C.strict !== false,
  };
}

/** A small deterministic PRNG, so a failure names a reproducible line. */
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
}

const VALUES = ['0', '1', '8', '18', '4096', '65535', '65536', '0x10', 'abc', '', '-1', '-x', 'emu', 'native', 'auto', 'hex', 'write', 'hvm', '--json', 'a=b'];

function tokensFor(input: ParseInput): string[][] {
  const t: string[][] = [];
  for (const [name, f] of Object.entries(input.flags)) {
    if (f.type === 'boolean') t.push([`--${name}`], [`--${name}=true`], [`--no-${name}`]);
    else {
      for (const v of [...VALUES.slice(0, 8), ...(f.options ?? [])]) t.push([`--${name}`, v], [`--${name}=${v}`]);
      t.push([`--${name}`], [`--${name}`, '-5'], [`--${name}=`]);
    }
  }
  for (const v of VALUES) t.push([v]);
  t.push(['--'], ['-h'], ['--help'], ['--bogus'], ['-'], ['--no-json']);
  return t;
}

/** The plain invocation of a command: its required flags and args with ordinary values. */
function plain(input: ParseInput): string[] {
  const argv: string[] = [];
  for (const [name, f] of Object.entries(input.flags)) {
    if (f.required) argv.push(`--${name}`, f.options?.[0] ?? '1');
  }
  for (const a of Object.values(input.args)) if ((a as { required?: boolean }).required) argv.push('8');
  return argv;
}

type Outcome = { ok: true; out: unknown } | { ok: false };

async function oclif(argv: string[], input: ParseInput): Promise<Outcome> {
  try {
    const r = await Parser.parse([...argv], { ...input, context: undefined } as never) as { flags: unknown; args: unknown; argv: unknown };
    return { ok: true, out: { flags: r.flags, args: r.args, argv: r.argv } };
  } catch {
    return { ok: false };
  }
}

async function lite(argv: string[], input: ParseInput): Promise<Outcome | 'declined'> {
  try {
    return { ok: true, out: await liteParse(argv, input, undefined) };
  } catch (e) {
    if (isFallback(e)) return 'declined';
    throw e;
  }
}

const ENVS: Record<string, string>[] = [{}, { XGT_AS: '1' }, { XGT_BACKEND: 'emu', XGT_STATE: '/tmp/x.db' }, { XGT_AS: 'x' }, { XGT_BACKEND: 'bogus' }, { XGT_AS: '' }];

describe('the fast path parser agrees with oclif', () => {
  for (const { file, id } of files) {
    it(id, async () => {
      const C = (await import(file)).default as CommandStatics;
      const input = inputOf(C);
      const pieces = tokensFor(input);
      const random = rng(id.length * 7919 + id.charCodeAt(0));
      const lines: string[][] = [plain(input), [...plain(input), '--json']];
      for (let i = 0; i < 400; i++) {
        const line = [...plain(input)];
        const n = Math.floor(random() * 5);
        for (let k = 0; k < n; k++) {
          const piece = pieces[Math.floor(random() * pieces.length)];
          line.splice(Math.floor(random() * (line.length + 1)), 0, ...piece);
        }
        lines.push(line);
      }
      let accepted = 0;
      const saved = { ...process.env };
      try {
        for (const [e, env] of ENVS.entries()) {
          for (const k of ['XGT_AS', 'XGT_BACKEND', 'XGT_STATE']) delete process.env[k];
          Object.assign(process.env, env);
          for (const line of e === 0 ? lines : lines.slice(0, 60)) {
            const mine = await lite(line, input);
            if (mine === 'declined') continue;
            accepted++;
            const theirs = await oclif(line, input);
            expect({ line, env, result: theirs }).toEqual({ line, env, result: mine });
          }
        }
      } finally {
        process.env = saved;
      }
      // the plain invocation (with and without --json) is always the fast path's
      expect(await lite(plain(input), input)).not.toBe('declined');
      expect(await lite([...plain(input), '--json'], input)).not.toBe('declined');
      expect(accepted).toBeGreaterThan(20);
    });
  }
});

describe('the fast path parser answers at once unless a parse function waits', () => {
  const input = (parse: (s: string) => unknown): ParseInput => ({
    flags: { n: { type: 'option', parse: parse as FlagDef['parse'] } },
    args: { x: { parse: parse as never, required: true } },
    strict: true,
  });

  it('awaits a parse function that returns a promise, as oclif does', async () => {
    const out = liteParse(['--n', '2', '3'], input(async (s) => Number(s) * 10), undefined);
    expect(out).toBeInstanceOf(Promise);
    expect(await out).toEqual({ flags: { n: 20 }, args: { x: 30 }, argv: [30] });
    expect(await oclif(['--n', '2', '3'], input(async (s) => Number(s) * 10))).toEqual({ ok: true, out: await out });
  });

  it('declines a value the parse function refuses, at once or later', async () => {
    const refuse = (s: string) => { if (s === 'bad') throw new Error('no'); return s; };
    expect(await lite(['--n', 'bad', '1'], input(refuse))).toBe('declined');
    expect(await lite(['--n', '1', 'bad'], input(async (s) => refuse(s)))).toBe('declined');
  });
});
