import { EmuCommand } from '../../cli/emu-command.js';
import { resetHost } from '../../emu/admin.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class EmuReset extends EmuCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"state", "action": "reset"}';
  static summary = 'Empty the emulated host: back to just Domain-0';
  static examples = ['<%= config.bin %> emu reset'];

  plan({ flags }: Parsed<typeof EmuReset>): Plan {
    return {
      choice: this.choice(flags),
      step: { local: async () => this.withStore(flags, (st) => {
        st.tx(() => resetHost(st));
        return { state: st.path, action: 'reset' };
      }) },
    };
  }
}
