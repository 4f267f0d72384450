import { XgtCommand } from '../../cli/base.js';
import { table } from '../../cli/output.js';

export default class DomainList extends XgtCommand {
  static summary = 'List domains (like xl list)';
  static examples = ['<%= config.bin %> domain list', '<%= config.bin %> domain list --json'];

  async run() {
    const { flags } = await this.parse(DomainList);
    const domains = await this.withBackend(flags, (b) => b.domains.list());
    this.human(() => table(['Name', 'ID', 'Mem', 'VCPUs', 'State', 'Type'],
      domains.map((d) => [d.name, d.domid, Math.floor(d.memory_kb / 1024), d.vcpus,
        d.state === 'dying' ? '-----d' : 'r-----', d.type + (d.type !== 'pv' && !d.hap ? ' (shadow)' : '')]),
      ['left', 'right', 'right', 'right']));
    return { domains };
  }
}
