import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag, uintFlag } from '../../cli/flags.js';
import { U32_MAX } from '../../cli/numbers.js';
import { hexdump, record } from '../../cli/output.js';
import { payloadFlags, readPayload } from '../../cli/payload.js';
import { usage } from '../../errors.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

/** GNTTABOP_copy's offset and length are 16-bit fields */
const U16_MAX = 0xffff;

export default class GnttabCopy extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '--from-ref: {"data", "encoding": "hex" | "base64", "length"}; --to-ref: {"copied"}';
  static summary = "Copy bytes out of or into another domain's grant, without mapping it (GNTTABOP_copy)";
  static description = `The hypervisor copies between the granted page and this process (gntdev GRANT_COPY); nothing
is mapped. Refusals come in Xen's order, as EINVAL with the GNTST code: GNTST_bad_domain,
GNTST_bad_gntref, GNTST_general_error (not granted, granted to another domain, or read-only as the
destination), then GNTST_bad_copy_arg when offset + length passes the page.`;
  static examples = [
    '<%= config.bin %> gnttab copy --domid 1 --from-ref 8 --length 64',
    '<%= config.bin %> gnttab copy --domid 1 --from-ref 8 --offset 2048 --length 5 --format raw',
    '<%= config.bin %> gnttab copy --domid 1 --to-ref 8 --offset 2048 --data reply',
  ];
  static flags = {
    domid: requiredDomidFlag('the domain that granted the ref'),
    'from-ref': uintFlag('from-ref', 'copy out of this grant ref', U32_MAX)({ exclusive: ['to-ref'] }),
    'to-ref': uintFlag('to-ref', 'copy into this grant ref', U32_MAX)({ exclusive: ['from-ref'] }),
    offset: uintFlag('offset', 'byte offset in the granted page', U16_MAX)({ default: 0 }),
    length: uintFlag('length', 'how many bytes to copy out (default: to the end of the page)', U16_MAX)({ exclusive: ['to-ref'] }),
    format: Flags.option({
      options: ['hex', 'base64', 'raw'] as const,
      summary: 'output encoding of --from-ref (default: a hexdump, or hex with --json)',
      exclusive: ['to-ref'],
    })(),
    ...payloadFlags,
  };

  plan({ flags }: Parsed<typeof GnttabCopy>): Plan {
    const to = flags['to-ref'];
    const from = flags['from-ref'];
    if (to !== undefined) {
      const data = readPayload(this.op, flags, U16_MAX);
      return {
        choice: this.choice(flags),
        step: call('gnttab.copyTo', flags.domid, to, flags.offset, data),
        json: (copied: number) => ({ copied }),
        human: (copied: number) => record({ copied }),
      };
    }
    if (from === undefined) throw usage(this.op, 'one of --from-ref or --to-ref is required');
    if (flags.data !== undefined || flags.hex !== undefined || flags.file !== undefined) {
      throw usage(this.op, '--data, --hex and --file go with --to-ref');
    }
    const encoding = flags.format === 'base64' ? 'base64' : 'hex';
    return {
      choice: this.choice(flags),
      step: call('gnttab.copyFrom', flags.domid, from, flags.offset, flags.length),
      json: (bytes: Uint8Array) => ({ data: Buffer.from(bytes).toString(encoding), encoding, length: bytes.length }),
      human: (bytes: Uint8Array) => (flags.format === 'raw' ? bytes
        : flags.format === undefined ? hexdump(bytes, flags.offset) : Buffer.from(bytes).toString(encoding)),
    };
  }
}
