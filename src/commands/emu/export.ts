import { Args } from '@oclif/core';
import { writeFileSync, renameSync } from 'node:fs';
import { EmuCommand } from '../../cli/emu-command.js';
import { record } from '../../cli/output.js';
import { usage } from '../../errors.js';
import { exportHost } from '../../emu/admin.js';
import { writeOut } from '../../cli/stdio.js';

export default class EmuExport extends EmuCommand {
  static summary = 'Dump the whole emulated host as JSON (to FILE, or to stdout)';
  static examples = ['<%= config.bin %> emu export host.json', '<%= config.bin %> emu export > host.json'];
  static args = { file: Args.string({ ignoreStdin: true, description: 'where to write (default: stdout)' }) };

  async run() {
    const { args, flags } = await this.parse(EmuExport);
    const doc = this.withStore(flags, (st) => st.read(() => exportHost(st)));
    if (args.file === undefined) {
      if (!this.jsonEnabled()) writeOut(`${JSON.stringify(doc)}\n`);
      return doc;
    }
    const tmp = `${args.file}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, `${JSON.stringify(doc)}\n`);
      renameSync(tmp, args.file);
    } catch (e) {
      throw usage(this.op, `cannot write ${args.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const res = { exported: args.file, domains: doc.tables.domains.length };
    this.human(() => record(res));
    return res;
  }
}
