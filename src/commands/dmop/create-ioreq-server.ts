import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag } from '../../cli/flags.js';
import { BUFIOREQ_MODES } from '../../backend/types.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class DmopCreateIoreqServer extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"domid", "id"}';
  static summary = 'Create an ioreq server for an HVM domain (XEN_DMOP_create_ioreq_server)';
  static examples = ['<%= config.bin %> dmop create-ioreq-server --domid 1', '<%= config.bin %> dmop create-ioreq-server --domid 1 --bufioreq atomic --json'];
  static flags = {
    domid: requiredDomidFlag('the HVM guest'),
    bufioreq: Flags.option({ options: BUFIOREQ_MODES, default: 'off' as const, summary: 'buffered ioreq handling' })(),
  };

  plan({ flags }: Parsed<typeof DmopCreateIoreqServer>): Plan {
    return { choice: this.choice(flags), step: call('dmop.createIoreqServer', flags.domid, flags.bufioreq) };
  }
}
