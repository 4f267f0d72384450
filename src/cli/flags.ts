/** Flags and arguments shared by several commands, each validated the same way everywhere. */
import { Args, Flags } from '@oclif/core';
import { parseUint, U16_MAX, U32_MAX } from './numbers.js';

const domid = Flags.custom<number>({ parse: async (s) => parseUint(s, '--domid', U16_MAX) });

export const requiredDomidFlag = (summary: string) => domid({ summary, required: true });
export const optionalDomidFlag = (summary: string) => domid({ summary });

export const uintFlag = (name: string, summary: string, max = Number.MAX_SAFE_INTEGER, min = 0) =>
  Flags.custom<number>({ summary, parse: async (s) => parseUint(s, `--${name}`, max, min) });

export const indexArg = Args.string({ ignoreStdin: true, required: true, description: 'index (a byte offset, as the device returned it)' });

export function parseIndex(s: string): number {
  return parseUint(s, 'INDEX');
}

export function parseRef(s: string): number {
  return parseUint(s, 'REF', U32_MAX);
}
