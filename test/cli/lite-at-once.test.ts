/**
 * On the lite core (as the fast bundle runs them), every command's flags and arguments parse
 * without a promise: a batch line is then planned without waiting a turn of the event loop
 * (batch-run.ts planLine; flags.ts atOnce, lite/parse.ts). A parse function made async again
 * would pass every other test and quietly send each batch line down the awaited path.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { commandFiles } from '../helpers/commands.js';

jest.unstable_mockModule('@oclif/core', () => import('../../src/cli/lite/core.js'));
const { liteParse } = await import('../../src/cli/lite/parse.js');
type Defs = Record<string, { type?: string; required?: boolean; options?: readonly string[] }>;

const files = commandFiles();

describe('on the lite core, parsing answers at once', () => {
  for (const { file, id } of files) {
    it(id, async () => {
      const C = (await import(file)).default as { flags?: Defs; baseFlags?: Defs; args?: Defs; strict?: boolean };
      const flags = { ...C.baseFlags, ...C.flags };
      const input = { flags, args: C.args ?? {}, strict: C.strict !== false } as never;
      const given = (name: string, f: Defs[string]) => (f.type === 'boolean' ? [`--${name}`] : [`--${name}`, f.options?.[0] ?? '1']);
      const base: string[] = [];
      for (const [name, f] of Object.entries(flags)) if (f.required) base.push(...given(name, f));
      for (const a of Object.values(C.args ?? {})) if (a.required) base.push('8');
      // each flag in turn (some exclude others), so that every parse function runs
      const lines = [base, ...Object.entries(flags).filter(([n, f]) => !f.required && n !== 'state').map(([n, f]) => [...base, ...given(n, f)])];
      for (const argv of lines) {
        let out: unknown;
        try {
          out = liteParse(argv, input, undefined);
        } catch (e) {
          throw new Error(`${argv.join(' ')}: ${(e as Error).message}`);
        }
        expect({ argv, promise: out instanceof Promise }).toEqual({ argv, promise: false });
      }
    });
  }
});
