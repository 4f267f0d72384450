/** Flags and arguments shared by several commands, each validated the same way everywhere. */
import { Args, Flags } from '@oclif/core';
import { parseUint, U16_MAX, U32_MAX } from './numbers.js';

/**
 * A flag's parse function that answers at once. oclif awaits whatever parse returns, so a plain
 * value is as good as a promise there, and the fast parser (lite/parse.ts) then costs a batch line
 * no turn of the event loop per flag.
 */
export const atOnce = <T>(parse: (input: string) => T) => parse as unknown as (input: string) => Promise<T>;

const domid = Flags.custom<number>({ parse: atOnce((s) => parseUint(s, '--domid', U16_MAX)) });

export const requiredDomidFlag = (summary: string) => domid({ summary, required: true });
export const optionalDomidFlag = (summary: string) => domid({ summary });

export const uintFlag = (name: string, summary: string, max = Number.MAX_SAFE_INTEGER, min = 0) =>
  Flags.custom<number>({ summary, parse: atOnce((s) => parseUint(s, `--${name}`, max, min)) });

export const indexArg = Args.string({ ignoreStdin: true, required: true, description: 'index (a byte offset, as the device returned it)' });

export function parseIndex(s: string): number {
  return parseUint(s, 'INDEX');
}

export function parseRef(s: string): number {
  return parseUint(s, 'REF', U32_MAX);
}
