/**
 * Strict parsing of the numbers scripts pass: decimal or 0x-hex whole numbers only, within the
 * range the kernel structure holds. Anything else is a usage error naming the argument.
 */
import { usage } from '../errors.js';

export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;

export function parseUint(text: string, what: string, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  let v = decimal(text);
  if (Number.isNaN(v)) {
    const s = text.trim();
    if (/^0x[0-9a-f]+$/i.test(s)) v = s.length > 16 ? Infinity : parseInt(s.slice(2), 16);
    else if (/^[0-9]+$/.test(s)) v = s.length > 16 ? Infinity : Number(s);
    else throw usage(what, `${what}: '${printable(text)}' is not a whole number`);
  }
  if (v < min || v > max) throw usage(what, `${what}: ${printable(text)} is out of range (${min} to ${max})`);
  return v;
}

/**
 * The value of a short run of decimal digits and nothing else (what nearly every argument is),
 * else NaN: the general rules above then read it. Batches parse several numbers a line.
 */
function decimal(text: string): number {
  if (text.length === 0 || text.length > 15) return NaN;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/** Memory sizes as xl takes them: a number of KiB, or with a K/M/G suffix. */
export function parseMemoryKb(text: string, what: string): number {
  const m = /^([0-9]{1,9})([kmg]?)b?$/i.exec(text.trim());
  if (!m) throw usage(what, `${what}: '${printable(text)}' is not a memory size (like 512M or 1G)`);
  const scale: Record<string, number> = { '': 1024, k: 1, m: 1024, g: 1024 * 1024 };
  const kb = Number(m[1]) * scale[m[2].toLowerCase()];
  if (kb < 1024 || kb > 64 * 1024 * 1024) throw usage(what, `${what}: ${printable(text)} is out of range (1M to 64G)`);
  return kb;
}

/** Shows user input safely in a one-line message (no control characters, bounded length). */
export function printable(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}
