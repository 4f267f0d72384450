import { XgtCommand } from '../cli/base.js';
import { call } from '../backend/calls.js';
import type { Parsed, Plan } from '../cli/plan.js';

export default class Info extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"backend", "xen_version", "domid", "state", "features": {"map_multiple", "grant_copy", "dma_buf", "domain_control", "act_as_any_domain"}, "limits": {...}}';
  static summary = 'Show the backend, the Xen version, the acting domain, features and limits';
  static examples = ['<%= config.bin %> info', '<%= config.bin %> info --backend emu --json'];

  plan({ flags }: Parsed<typeof Info>): Plan {
    return { choice: this.choice(flags), step: call('info') };
  }
}
