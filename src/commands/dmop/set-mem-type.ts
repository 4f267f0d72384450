import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag, uintFlag } from '../../cli/flags.js';
import { memTypeFlag, memTypeNumber } from '../../cli/dm-flags.js';
import { U32_MAX } from '../../cli/numbers.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class DmopSetMemType extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"domid", "type", "first_pfn", "count"}';
  static summary = "Set the p2m type of a range of an HVM guest's pages (XEN_DMOP_set_mem_type)";
  static description = 'To ioreq_server only from ram_rw and while a claim is held; back only to ram_rw. As in Xen, '
    + 'pages before one whose change is refused keep their new type.';
  static examples = ['<%= config.bin %> dmop set-mem-type --domid 1 --type ioreq_server --first-pfn 0x100 --count 16'];
  static flags = {
    domid: requiredDomidFlag('the HVM guest'),
    type: memTypeFlag('the new type', ['ram_rw', 'ram_ro', 'mmio_dm', 'ioreq_server'])({ required: true }),
    'first-pfn': uintFlag('first-pfn', 'the first guest frame')({ required: true }),
    count: uintFlag('count', 'how many frames', U32_MAX)({ required: true }),
  };

  plan({ flags }: Parsed<typeof DmopSetMemType>): Plan {
    return {
      choice: this.choice(flags),
      step: call('dmop.setMemType', flags.domid, memTypeNumber(flags.type), flags['first-pfn'], flags.count),
    };
  }
}
