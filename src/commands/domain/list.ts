import { XgtCommand } from '../../cli/base.js';
import { table } from '../../cli/output.js';
import { call } from '../../backend/calls.js';
import type { Plan } from '../../cli/plan.js';
import type { DomainInfo } from '../../backend/types.js';

export default class DomainList extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"domains": [{"domid", "name", "type": "pv" | "pvh" | "hvm", "hap", "memory_kb", "vcpus", "state"}]}';
  static summary = 'List domains (like xl list)';
  static examples = ['<%= config.bin %> domain list', '<%= config.bin %> domain list --json'];

  async plan(): Promise<Plan<DomainInfo[]>> {
    const { flags } = await this.parse(DomainList);
    return {
      choice: this.choice(flags),
      step: call('domains.list'),
      json: (domains) => ({ domains }),
      human: (domains) => table(['Name', 'ID', 'Mem', 'VCPUs', 'State', 'Type'],
        domains.map((d) => [d.name, d.domid, Math.floor(d.memory_kb / 1024), d.vcpus,
          d.state === 'dying' ? '-----d' : 'r-----', d.type + (d.type !== 'pv' && !d.hap ? ' (shadow)' : '')]),
        ['left', 'right', 'right', 'right']),
    };
  }
}
