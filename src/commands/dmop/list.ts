import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag } from '../../cli/flags.js';
import { record, table } from '../../cli/output.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';
import type { DmopListing } from '../../backend/types.js';

export default class DmopList extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"servers": [{"id", "owner", "bufioreq"}], "claim": {"id", "flags"} | null, "ioreq_server_pages"}';
  static summary = "Show a guest's ioreq servers, who claims the ioreq_server type, and how many pages have it";
  static examples = ['<%= config.bin %> dmop list --domid 1 --json'];
  static flags = { domid: requiredDomidFlag('the HVM guest') };

  plan({ flags }: Parsed<typeof DmopList>): Plan<DmopListing> {
    return {
      choice: this.choice(flags),
      step: call('dmop.list', flags.domid),
      human: (res) => [
        res.servers.length ? table(['Server', 'Owner domain', 'Buffered ioreqs'], res.servers.map((s) => [s.id, s.owner, s.bufioreq]), ['right', 'right'])
          : 'no ioreq servers',
        record({ claim: res.claim ? `server ${res.claim.id}, flags ${res.claim.flags}` : null, ioreq_server_pages: res.ioreq_server_pages }),
      ].join('\n'),
    };
  }
}
