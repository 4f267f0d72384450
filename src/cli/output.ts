/**
 * Human output: tables that look like xl's, colour only on a terminal and never with NO_COLOR.
 * --json output never passes through here.
 */
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Whether output to fd may be coloured: a terminal, no NO_COLOR, a TERM that is not dumb. */
export function colourEnabled(fd: number, env = process.env): boolean {
  return !('NO_COLOR' in env) && env.TERM !== 'dumb' && isTerminal(fd);
}

/** Memory devices (/dev/null, /dev/zero, ...) have this major number. */
const MEM_MAJOR = 1;
/** A device number's major, as Linux encodes it (low 12 bits from bit 8, the rest from bit 32). */
const majorOf = (rdev: number) => (Math.floor(rdev / 2 ** 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);

/**
 * isatty(fd), asking Node's tty module (which loads net and every stream: ~2 ms of a cold start)
 * only when fstat cannot tell: a pipe, socket, file or memory device such as /dev/null is never a
 * terminal.
 */
function isTerminal(fd: number): boolean {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return false;
  }
  if (!st.isCharacterDevice() || majorOf(st.rdev) === MEM_MAJOR) return false;
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(fd);
}

type Paint = (text: string) => string;
export interface Palette { bold: Paint; green: Paint; red: Paint }

/** Plain until colourReady() finds a terminal; scripts (output to pipes and files) never load chalk. */
export const colour: Palette = { bold: String, green: String, red: String };
export const errColour: Palette = { bold: String, green: String, red: String };

let decided = false;
let painting: Promise<void> | undefined;

/**
 * Gives the palettes colour for the streams that are terminals (chalk loads only then), once per
 * process; commands await it before they run (XgtCommand._run). Undefined once there is nothing
 * left to wait for, so a batch line pays no turn for it.
 */
export function colourReady(): Promise<void> | undefined {
  if (decided) return painting;
  decided = true;
  const out = colourEnabled(1);
  const err = colourEnabled(2);
  if (!out && !err) return undefined;
  painting = import('chalk').then(({ Chalk }) => {
    const chalk = new Chalk({ level: 1 });
    const paint = { bold: chalk.bold, green: chalk.green, red: chalk.red };
    if (out) Object.assign(colour, paint);
    if (err) Object.assign(errColour, paint);
    painting = undefined;
  });
  return painting;
}

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
