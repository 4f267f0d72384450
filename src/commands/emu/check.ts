import { EmuCommand } from '../../cli/emu-command.js';
import { colour, table } from '../../cli/output.js';
import { refused } from '../../errors.js';
import { CHECK_NAMES, checkHost, type Violation } from '../../emu/check.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class EmuCheck extends EmuCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"clean", "checks", "violations": [{"check", "detail"}]} (exit 1 with the violations when not clean)';
  static summary = "Check every invariant of the emulated host; exit 0 when it is clean";
  static description = 'Grants and their pins, mappings, event-channel peers, pending and masked bits, memory-type claims, '
    + 'pinned extents, and machine frames. Each violation is reported; any violation exits 1.';
  static examples = ['<%= config.bin %> emu check', '<%= config.bin %> emu check --json'];

  plan({ flags }: Parsed<typeof EmuCheck>): Plan<{ clean: boolean; checks: number; violations: Violation[] }> {
    return {
      choice: this.choice(flags),
      step: { local: async () => {
        const violations = this.withStore(flags, (st) => st.read(() => checkHost(st)));
        return { clean: violations.length === 0, checks: CHECK_NAMES.length, violations };
      } },
      human: (res) => (res.clean ? colour.green(`clean: ${res.checks} invariants hold`)
        : table(['Check', 'Violation'], res.violations.map((v) => [v.check, v.detail]))),
      verdict: ({ violations }) => (violations.length === 0 ? undefined
        : refused('EIO', this.op, `${violations.length} invariant violation(s), the first: ${violations[0].detail}`, { extra: { violations } })),
    };
  }
}
