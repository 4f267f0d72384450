import { Args } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { EmuCommand } from '../../cli/emu-command.js';
import { usage } from '../../errors.js';
import { importHost } from '../../emu/admin.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class EmuImport extends EmuCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"imported", "domains"}';
  static summary = 'Replace the emulated host with one exported by emu export';
  static examples = ['<%= config.bin %> emu import host.json'];
  static args = { file: Args.string({ ignoreStdin: true, required: true, description: "the export ('-' for stdin)" }) };

  plan({ args, flags }: Parsed<typeof EmuImport>): Plan {
    return {
      choice: this.choice(flags),
      step: { local: async () => {
        let doc: unknown;
        try {
          doc = JSON.parse(readFileSync(args.file === '-' ? 0 : args.file, 'utf8'));
        } catch (e) {
          throw usage(this.op, `cannot read ${args.file} as JSON: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0]}`);
        }
        return this.withStore(flags, (st) => ({ imported: args.file, ...st.tx(() => importHost(st, doc)) }));
      } },
    };
  }
}
