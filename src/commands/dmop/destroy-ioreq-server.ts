import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag } from '../../cli/flags.js';
import { serverIdFlag } from '../../cli/dm-flags.js';
import { record } from '../../cli/output.js';

export default class DmopDestroyIoreqServer extends XgtCommand {
  static summary = 'Destroy an ioreq server; its memory-type claim goes with it (XEN_DMOP_destroy_ioreq_server)';
  static examples = ['<%= config.bin %> dmop destroy-ioreq-server --domid 1 --id 0'];
  static flags = { domid: requiredDomidFlag('the HVM guest'), id: serverIdFlag({ required: true }) };

  async run() {
    const { flags } = await this.parse(DmopDestroyIoreqServer);
    const res = await this.withBackend(flags, (b) => b.dmop.destroyIoreqServer(flags.domid, flags.id));
    this.human(() => record(res));
    return res;
  }
}
