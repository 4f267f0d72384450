import { EmuCommand } from '../../cli/emu-command.js';
import { colour, table } from '../../cli/output.js';
import { refused } from '../../errors.js';
import { CHECK_NAMES, checkHost } from '../../emu/check.js';

export default class EmuCheck extends EmuCommand {
  static summary = "Check every invariant of the emulated host; exit 0 when it is clean";
  static description = 'Grants and their pins, mappings, event-channel peers, pending and masked bits, memory-type claims, '
    + 'pinned extents, and machine frames. Each violation is reported; any violation exits 1.';
  static examples = ['<%= config.bin %> emu check', '<%= config.bin %> emu check --json'];

  async run() {
    const { flags } = await this.parse(EmuCheck);
    const violations = this.withStore(flags, (st) => st.read(() => checkHost(st)));
    const res = { clean: violations.length === 0, checks: CHECK_NAMES.length, violations };
    if (!res.clean) {
      this.human(() => table(['Check', 'Violation'], violations.map((v) => [v.check, v.detail])));
      throw refused('EIO', this.op, `${violations.length} invariant violation(s), the first: ${violations[0].detail}`, { extra: { violations } });
    }
    this.human(() => colour.green(`clean: ${res.checks} invariants hold`));
    return res;
  }
}
