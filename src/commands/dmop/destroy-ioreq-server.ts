import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag } from '../../cli/flags.js';
import { serverIdFlag } from '../../cli/dm-flags.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class DmopDestroyIoreqServer extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"domid", "id"}';
  static summary = 'Destroy an ioreq server; its memory-type claim goes with it (XEN_DMOP_destroy_ioreq_server)';
  static examples = ['<%= config.bin %> dmop destroy-ioreq-server --domid 1 --id 0'];
  static flags = { domid: requiredDomidFlag('the HVM guest'), id: serverIdFlag({ required: true }) };

  plan({ flags }: Parsed<typeof DmopDestroyIoreqServer>): Plan {
    return { choice: this.choice(flags), step: call('dmop.destroyIoreqServer', flags.domid, flags.id) };
  }
}
