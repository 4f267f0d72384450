import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag } from '../../cli/flags.js';
import { record } from '../../cli/output.js';
import { BUFIOREQ_MODES } from '../../backend/types.js';

export default class DmopCreateIoreqServer extends XgtCommand {
  static summary = 'Create an ioreq server for an HVM domain (XEN_DMOP_create_ioreq_server)';
  static examples = ['<%= config.bin %> dmop create-ioreq-server --domid 1', '<%= config.bin %> dmop create-ioreq-server --domid 1 --bufioreq atomic --json'];
  static flags = {
    domid: requiredDomidFlag('the HVM guest'),
    bufioreq: Flags.option({ options: BUFIOREQ_MODES, default: 'off' as const, summary: 'buffered ioreq handling' })(),
  };

  async run() {
    const { flags } = await this.parse(DmopCreateIoreqServer);
    const res = await this.withBackend(flags, (b) => b.dmop.createIoreqServer(flags.domid, flags.bufioreq));
    this.human(() => record(res));
    return res;
  }
}
