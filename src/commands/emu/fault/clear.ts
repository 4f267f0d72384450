import { Args } from '@oclif/core';
import { EmuCommand } from '../../../cli/emu-command.js';
import { parseUint } from '../../../cli/numbers.js';
import { clearFaults } from '../../../emu/faults.js';
import type { Parsed, Plan } from '../../../cli/plan.js';

export default class EmuFaultClear extends EmuCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"cleared": [ids]}';
  static summary = 'Remove one injected fault, or all of them';
  static examples = ['<%= config.bin %> emu fault clear', '<%= config.bin %> emu fault clear 2'];
  static args = { id: Args.string({ ignoreStdin: true, description: 'the fault to remove (default: all)' }) };

  plan({ args, flags }: Parsed<typeof EmuFaultClear>): Plan<{ cleared: number[] }> {
    const id = args.id === undefined ? undefined : parseUint(args.id, 'ID');
    return {
      choice: this.choice(flags),
      step: { local: async () => ({ cleared: this.withStore(flags, (st) => st.tx(() => clearFaults(st, id))) }) },
      human: (r) => (r.cleared.length ? `cleared ${r.cleared.join(', ')}` : 'no faults'),
    };
  }
}
