/**
 * Human output: tables that look like xl's, colour only on a terminal and never with NO_COLOR.
 * --json output never passes through here.
 */
import { createRequire } from 'node:module';
import { Chalk } from 'chalk';

export function colourEnabled(stream: NodeJS.WriteStream = process.stdout, env = process.env): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb';
}

type Paint = (text: string) => string;
export interface Palette { bold: Paint; green: Paint; red: Paint }

/** What chalk does with colour off; scripts (output to pipes and files) never load chalk. */
const plain: Palette = { bold: String, green: String, red: String };

const outColour = colourEnabled();
const errIsColour = colourEnabled(process.stderr);

export const colour: Palette = outColour ? new Chalk({ level: 1 }) : plain;
export const errColour: Palette = errIsColour ? new Chalk({ level: 1 }) : plain;

const PLAIN = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
  'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
};

/** A borderless table; `align` marks right-aligned (numeric) columns. */
/** cli-table3 is loaded only for human output: --json runs never pay for it. */
export function table(head: string[], rows: (string | number)[][], align: ('left' | 'right')[] = []): string {
  const Table = createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3');
  const t = new Table({
    head: head.map((h) => colour.bold(h)),
    chars: PLAIN,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 1, compact: true },
    ...(align.length ? { colAligns: align } : {}),
  });
  for (const r of rows) t.push(r.map(String));
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}

/** `key : value` lines, keys padded to 23 characters as `xl info` does. */
export function record(obj: object): string {
  return Object.entries(obj)
    .map(([k, v]) => `${k.padEnd(23)}: ${show(v)}`)
    .join('\n');
}

export function show(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.map(show).join(' ') : '-';
  if (v === null || v === undefined) return '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${show(x)}`).join(', ');
  return String(v);
}
