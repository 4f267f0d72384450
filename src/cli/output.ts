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
    .map(([k, v]) => `${k.padEnd(23)}: ${shownAs(k, v)}`)
    .join('\n');
}

/** Frame numbers (machine and guest) print in hex everywhere, as Xen's own tools print them. */
const FRAME_KEY = /(^|_)(mfn|gpfn|pfn|gfn|frame)$/;
/** Lists of refs or ports print summarised when long (JSON keeps them whole). */
const LIST_NOUN: Record<string, string> = { refs: 'refs', dir_refs: 'refs', deferred: 'refs', ports: 'ports' };

function shownAs(key: string, v: unknown): string {
  if (typeof v === 'number' && FRAME_KEY.test(key)) return hex(v);
  if (Array.isArray(v) && LIST_NOUN[key] && v.every((x) => typeof x === 'number')) return numbers(v as number[], LIST_NOUN[key]);
  return show(v);
}

export function show(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.map(show).join(' ') : '-';
  if (v === null || v === undefined) return '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${shownAs(k, x)}`).join(', ');
  return String(v);
}

export const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * A list of numbers as a person reads it: as it is when short; else its runs of consecutive
 * numbers as `a..b`, the first few of them, and how many there are (`8..5007, 5000 refs`).
 */
export function numbers(list: readonly number[], noun: string): string {
  if (list.length === 0) return '-';
  if (list.length <= 8) return list.join(' ');
  const runs: string[] = [];
  let start = list[0];
  for (let i = 1; i <= list.length; i++) {
    if (i < list.length && list[i] === list[i - 1] + 1) continue;
    runs.push(start === list[i - 1] ? String(start) : `${start}..${list[i - 1]}`);
    start = list[i];
  }
  const shown = runs.length > 6 ? [...runs.slice(0, 6), '…'] : runs;
  return `${shown.join(' ')}, ${list.length} ${noun}`;
}

/** Bytes as `hexdump -C` shows them: offset, sixteen bytes in hex, and the printable ones. */
export function hexdump(bytes: Uint8Array, offset = 0): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const cells = Array.from(row, (b) => b.toString(16).padStart(2, '0'));
    const left = cells.slice(0, 8).join(' ');
    const right = cells.slice(8).join(' ');
    const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(offset + at).toString(16).padStart(8, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${text}|`);
  }
  lines.push((offset + bytes.length).toString(16).padStart(8, '0'));
  return lines.join('\n');
}
