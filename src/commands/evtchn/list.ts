import { XgtCommand } from '../../cli/base.js';
import { optionalDomidFlag } from '../../cli/flags.js';
import { table } from '../../cli/output.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';
import type { PortInfo } from '../../backend/types.js';

export default class EvtchnList extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"ports": [{"port", "state", "remote_domid", "remote_port", "virq", "pending", "masked", "bound_here"}]}';
  static summary = "List a domain's event channels: state, peer, pending and masked (like lsevtchn)";
  static examples = ['<%= config.bin %> evtchn list', '<%= config.bin %> evtchn list --domid 1 --json'];
  static flags = { domid: optionalDomidFlag('whose ports (default: the acting domain)') };

  plan({ flags }: Parsed<typeof EvtchnList>): Plan<{ ports: PortInfo[] }> {
    const dash = (v: number | null) => (v === null ? '-' : v);
    return {
      choice: this.choice(flags),
      step: call('evtchn.list', flags.domid),
      human: (res) => table(['Port', 'State', 'Remote domain', 'Remote port', 'VIRQ', 'Pending', 'Masked', 'Bound by xgt'],
        res.ports.map((p) => [p.port, p.state, dash(p.remote_domid), dash(p.remote_port), dash(p.virq),
          p.pending ? 'y' : '-', p.masked ? 'y' : '-', p.bound_here ? 'y' : '-']), ['right']),
    };
  }
}
