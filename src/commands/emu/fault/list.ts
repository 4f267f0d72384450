import { EmuCommand } from '../../../cli/emu-command.js';
import { table } from '../../../cli/output.js';
import { type Fault, listFaults } from '../../../emu/faults.js';
import { GNTST } from '../../../xen.js';
import type { Parsed, Plan } from '../../../cli/plan.js';

export default class EmuFaultList extends EmuCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"faults": [{"id", "op", "domid", "code", "gntst", "after", "times"}]}';
  static summary = 'List the injected faults still to fire';
  static examples = ['<%= config.bin %> emu fault list', '<%= config.bin %> emu fault list --json'];

  plan({ flags }: Parsed<typeof EmuFaultList>): Plan<Fault[]> {
    return {
      choice: this.choice(flags),
      step: { local: async () => this.withStore(flags, (st) => st.read(() => listFaults(st))) },
      json: (faults) => ({ faults }),
      human: (faults) => (faults.length === 0 ? 'no faults' : table(['ID', 'Op', 'Domain', 'Fails with', 'After', 'Times'],
        faults.map((f) => [f.id, f.op, f.domid ?? 'any', f.code + (f.gntst === null ? '' : ` ${GNTST[f.gntst]?.[0] ?? f.gntst}`),
          f.after, f.times === 0 ? 'until cleared' : f.times]), ['right'])),
    };
  }
}
