import { Args } from '@oclif/core';
import { writeFileSync, renameSync } from 'node:fs';
import { EmuCommand } from '../../cli/emu-command.js';
import { usage } from '../../errors.js';
import { exportHost } from '../../emu/admin.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class EmuExport extends EmuCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = 'the whole host as one JSON document; with FILE: {"exported", "domains"}';
  static summary = 'Dump the whole emulated host as JSON (to FILE, or to stdout)';
  static examples = ['<%= config.bin %> emu export host.json', '<%= config.bin %> emu export > host.json'];
  static args = { file: Args.string({ ignoreStdin: true, description: 'where to write (default: stdout)' }) };

  plan({ args, flags }: Parsed<typeof EmuExport>): Plan {
    const doc = () => this.withStore(flags, (st) => st.read(() => exportHost(st)));
    const choice = this.choice(flags);
    const file = args.file;
    if (file === undefined) return { choice, step: { local: async () => doc() }, human: (d) => JSON.stringify(d) };
    return {
      choice,
      step: { local: async () => {
        const d = doc();
        const tmp = `${file}.tmp-${process.pid}`;
        try {
          writeFileSync(tmp, `${JSON.stringify(d)}\n`);
          renameSync(tmp, file);
        } catch (e) {
          throw usage(this.op, `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        return { exported: file, domains: d.tables.domains.length };
      } },
    };
  }
}
