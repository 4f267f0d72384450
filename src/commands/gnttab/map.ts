import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag, parseRef } from '../../cli/flags.js';
import { usage } from '../../errors.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class GnttabMap extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"index", "domid", "refs": [...], "count", "readonly"}';
  static summary = 'Map grant refs of another domain as one contiguous mapping (gntdev MAP_GRANT_REF + mmap)';
  static description = 'A ref the hypervisor refuses fails the whole mapping with EINVAL and the GNTST code.';
  static examples = ['<%= config.bin %> gnttab map --domid 0 8 9', '<%= config.bin %> gnttab map --domid 1 8 --readonly --json'];
  static strict = false;
  static usage = 'gnttab map --domid D REF... [--readonly]';
  static flags = {
    domid: requiredDomidFlag('the domain that granted the refs'),
    readonly: Flags.boolean({ summary: 'map read-only', default: false }),
  };

  plan({ argv, flags }: Parsed<typeof GnttabMap>): Plan {
    if (argv.length === 0) throw usage(this.op, 'at least one REF is required');
    return { choice: this.choice(flags), step: call('gnttab.map', flags.domid, (argv as string[]).map(parseRef), flags.readonly) };
  }
}
