import { XgtCommand } from '../../cli/base.js';
import { table } from '../../cli/output.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';
import type { DomainInfo } from '../../backend/types.js';

/** xl list's State column: r(unning) b(locked) p(aused) s(hutdown) c(rashed) d(ying), one place each */
const STATE_FLAGS: Record<DomainInfo['state'], string> = {
  running: 'r-----', blocked: '-b----', paused: '--p---', shutdown: '---s--', dying: '-----d',
};

export default class DomainList extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"domains": [{"domid", "name", "type": "pv" | "pvh" | "hvm", "hap", "memory_kb", "vcpus", "state": "running" | "blocked" | "paused" | "shutdown" | "dying"}]}';
  static summary = 'List domains (like xl list)';
  static description = `Natively the hypervisor is asked (getdomaininfo): no toolstack is needed. Names come from
XenStore where a xenstored runs, else Domain-0 and domain-N.`;
  static examples = ['<%= config.bin %> domain list', '<%= config.bin %> domain list --json'];

  plan({ flags }: Parsed<typeof DomainList>): Plan<DomainInfo[]> {
    return {
      choice: this.choice(flags),
      step: call('domains.list'),
      json: (domains) => ({ domains }),
      human: (domains) => table(['Name', 'ID', 'Mem', 'VCPUs', 'State', 'Type'],
        domains.map((d) => [d.name, d.domid, Math.floor(d.memory_kb / 1024), d.vcpus,
          STATE_FLAGS[d.state], d.type + (d.type !== 'pv' && !d.hap ? ' (shadow)' : '')]),
        ['left', 'right', 'right', 'right']),
    };
  }
}
