import { Flags } from '@oclif/core';
import { closeSync, openSync, readSync } from 'node:fs';
import { XgtCommand } from '../../cli/base.js';
import { pageTarget, targetFlags } from '../../cli/page-target.js';
import { record } from '../../cli/output.js';
import { refused, usage, XgtError } from '../../errors.js';
import { call } from '../../backend/calls.js';
import type { Plan } from '../../cli/plan.js';

export default class GnttabWrite extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"written"}';
  static summary = 'Write bytes into a shared page, through a mapping (--index) or a grant (--ref)';
  static examples = [
    '<%= config.bin %> gnttab write --index 0 --offset 4096 --data hello',
    '<%= config.bin %> gnttab write --ref 8 --hex deadbeef',
  ];
  static flags = {
    ...targetFlags,
    data: Flags.string({ summary: 'the bytes of this text (UTF-8)', exclusive: ['hex', 'file'] }),
    hex: Flags.string({ summary: 'bytes as hex digits', exclusive: ['data', 'file'] }),
    file: Flags.string({ summary: "the bytes of this file ('-' for stdin)", exclusive: ['data', 'hex'] }),
  };

  async plan(): Promise<Plan<number>> {
    const { flags } = await this.parse(GnttabWrite);
    const target = pageTarget(this.op, flags);
    return {
      choice: this.choice(flags),
      step: call('gnttab.write', target, flags.offset, this.payload(flags)),
      json: (written) => ({ written }),
      human: (written) => record({ written }),
    };
  }

  private payload(f: { data?: string; hex?: string; file?: string }): Buffer {
    if (f.data !== undefined) return Buffer.from(f.data, 'utf8');
    if (f.hex !== undefined) {
      const h = f.hex.replace(/^0x/i, '');
      if (!/^([0-9a-f]{2})*$/i.test(h)) throw usage(this.op, '--hex: needs an even number of hex digits');
      return Buffer.from(h, 'hex');
    }
    if (f.file !== undefined) {
      try {
        return readCapped(f.file === '-' ? 0 : f.file);
      } catch (e) {
        if (e instanceof XgtError) throw e;
        throw usage(this.op, `--file: cannot read ${f.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    throw usage(this.op, 'one of --data, --hex or --file is required');
  }
}

/** No mapping is larger than gntdev's per-call limit; a longer input (say /dev/zero) is refused, never read whole. */
const MAX_BYTES = 65536 * 4096;

function readCapped(file: string | 0): Buffer {
  const fd = typeof file === 'number' ? file : openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(1 << 20);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_BYTES) throw refused('EINVAL', 'gnttab.write', `the data is longer than any mapping (${MAX_BYTES} bytes)`);
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks);
  } finally {
    if (typeof file !== 'number') closeSync(fd);
  }
}
