import { Args } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { parseUint, U16_MAX } from '../../cli/numbers.js';
import { record } from '../../cli/output.js';

export default class DomainDestroy extends XgtCommand {
  static summary = 'Destroy a domain of the emulated host';
  static description = 'A domain whose grants others still map stays dying until they unmap them.';
  static examples = ['<%= config.bin %> domain destroy 1'];
  static args = { domid: Args.string({ ignoreStdin: true, required: true, description: 'the domain' }) };

  async run() {
    const { args, flags } = await this.parse(DomainDestroy);
    const domid = parseUint(args.domid, 'DOMID', U16_MAX);
    const res = await this.withBackend(flags, (b) => b.domains.destroy(domid));
    this.human(() => record(res));
    return res;
  }
}
