import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { requiredDomidFlag, uintFlag } from '../../cli/flags.js';
import { memTypeFlag, memTypeNumber, serverIdFlag } from '../../cli/dm-flags.js';
import { U32_MAX } from '../../cli/numbers.js';
import { usage } from '../../errors.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

const ACCESS = { none: 0, read: 1, write: 2 } as const;

export default class DmopMapMemType extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"domid", "id", "type", "flags"}';
  static summary = 'Claim (--access write) or disclaim (--access none) the ioreq_server memory type (XEN_DMOP_map_mem_type_to_ioreq_server)';
  static description = 'Xen accepts only the ioreq_server type and flags 2 or 0; a disclaim turns the remaining ioreq_server pages back into ram_rw.';
  static examples = [
    '<%= config.bin %> dmop map-mem-type --domid 1 --id 0 --access write',
    '<%= config.bin %> dmop map-mem-type --domid 1 --id 0 --access none',
  ];
  static flags = {
    domid: requiredDomidFlag('the HVM guest'),
    id: serverIdFlag({ required: true }),
    type: memTypeFlag('the memory type (only ioreq_server is accepted by Xen)')({ default: 'ioreq_server' }),
    access: Flags.option({ options: ['write', 'none', 'read'] as const, summary: 'write = claim (flags 2), none = disclaim (flags 0)', exclusive: ['flags'] })(),
    flags: uintFlag('flags', 'raw XEN_DMOP_IOREQ_MEM_ACCESS_* flags', U32_MAX)({ exclusive: ['access'] }),
  };

  plan({ flags }: Parsed<typeof DmopMapMemType>): Plan {
    const f = flags.access !== undefined ? ACCESS[flags.access] : flags.flags;
    if (f === undefined) throw usage(this.op, 'one of --access or --flags is required');
    return { choice: this.choice(flags), step: call('dmop.mapMemType', flags.domid, flags.id, memTypeNumber(flags.type), f) };
  }
}
