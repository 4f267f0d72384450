import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { uintFlag } from '../../cli/flags.js';
import { pageTarget, targetFlags } from '../../cli/page-target.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';
import { hexdump } from '../../cli/output.js';

export default class GnttabRead extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"data", "encoding": "hex" | "base64", "length"}';
  static summary = 'Read bytes of a shared page, through a mapping (--index) or a grant (--ref)';
  static examples = [
    '<%= config.bin %> gnttab read --ref 9 --length 64',
    '<%= config.bin %> gnttab read --ref 9 --length 5 --format raw',
    '<%= config.bin %> gnttab read --index 0 --offset 4096 --length 16 --json',
  ];
  static flags = {
    ...targetFlags,
    length: uintFlag('length', 'how many bytes (default: to the end)')(),
    format: Flags.option({
      options: ['hex', 'base64', 'raw'] as const,
      summary: 'output encoding (default: a hexdump, or hex with --json)',
    })(),
  };

  plan({ flags }: Parsed<typeof GnttabRead>): Plan<Uint8Array> {
    const target = pageTarget(this.op, flags);
    const encoding = flags.format === 'base64' ? 'base64' : 'hex';
    return {
      choice: this.choice(flags),
      step: call('gnttab.read', target, flags.offset, flags.length),
      json: (bytes) => ({ data: Buffer.from(bytes).toString(encoding), encoding, length: bytes.length }),
      human: (bytes) => (flags.format === 'raw' ? bytes
        : flags.format === undefined ? hexdump(bytes, flags.offset) : Buffer.from(bytes).toString(encoding)),
    };
  }
}
