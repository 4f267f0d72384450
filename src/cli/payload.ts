/** --data / --hex / --file: the bytes a command writes (gnttab write, gnttab copy --to-ref). */
import { Flags } from '@oclif/core';
import { closeSync, openSync, readSync } from 'node:fs';
import { refused, usage, XgtError } from '../errors.js';

export const payloadFlags = {
  data: Flags.string({ summary: 'the bytes of this text (UTF-8)', exclusive: ['hex', 'file'] }),
  hex: Flags.string({ summary: 'bytes as hex digits', exclusive: ['data', 'file'] }),
  file: Flags.string({ summary: "the bytes of this file ('-' for stdin)", exclusive: ['data', 'hex'] }),
};

/** The bytes the flags name; a file longer than `max` bytes is refused, never read whole. */
export function readPayload(op: string, f: { data?: string; hex?: string; file?: string }, max: number, limit = `${max} bytes`): Buffer {
  if (f.data !== undefined) return Buffer.from(f.data, 'utf8');
  if (f.hex !== undefined) {
    const h = f.hex.replace(/^0x/i, '');
    if (!/^([0-9a-f]{2})*$/i.test(h)) throw usage(op, '--hex: needs an even number of hex digits');
    return Buffer.from(h, 'hex');
  }
  if (f.file !== undefined) {
    try {
      return readCapped(op, f.file === '-' ? 0 : f.file, max, limit);
    } catch (e) {
      if (e instanceof XgtError) throw e;
      throw usage(op, `--file: cannot read ${f.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  throw usage(op, 'one of --data, --hex or --file is required');
}

function readCapped(op: string, file: string | 0, max: number, limit: string): Buffer {
  const fd = typeof file === 'number' ? file : openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(1 << 20);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw refused('EINVAL', op, `the data is longer than ${limit}`);
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks);
  } finally {
    if (typeof file !== 'number') closeSync(fd);
  }
}
