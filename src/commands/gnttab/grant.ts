import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { uintFlag } from '../../cli/flags.js';
import { U16_MAX, U32_MAX } from '../../cli/numbers.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class GnttabGrant extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"domid", "to", "index", "refs": [...], "readonly"}';
  static summary = 'Grant zeroed pages of the acting domain to another domain (gntalloc ALLOC_GREF)';
  static examples = ['<%= config.bin %> gnttab grant --to 1 --pages 2', '<%= config.bin %> gnttab grant --to 1 --readonly --json'];
  static flags = {
    to: uintFlag('to', 'the domain that may map the pages', U16_MAX)({ required: true }),
    pages: uintFlag('pages', 'how many pages (default 1)', U32_MAX, 1)({ default: 1 }),
    readonly: Flags.boolean({ summary: 'the grantee may only map them read-only', default: false }),
  };

  plan({ flags }: Parsed<typeof GnttabGrant>): Plan {
    return { choice: this.choice(flags), step: call('gnttab.grant', flags.to, flags.pages, flags.readonly) };
  }
}
