import { Flags } from '@oclif/core';
import { existsSync } from 'node:fs';
import { EmuCommand } from '../../cli/emu-command.js';
import type { GlobalFlags } from '../../cli/base.js';
import type { Parsed, Plan } from '../../cli/plan.js';
import { refused } from '../../errors.js';
import { resetHost } from '../../emu/admin.js';
import { removeStateFile, StateStore } from '../../emu/store.js';

export default class EmuInit extends EmuCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"state", "action": "created" | "reset" | "replaced"}';
  static summary = 'Create the state file of a fresh emulated host (holding just Domain-0)';
  static description = 'With --force an existing host is reset, and a damaged or foreign file is replaced.';
  static examples = ['<%= config.bin %> emu init', '<%= config.bin %> emu init --state /tmp/host.db --force'];
  static flags = { force: Flags.boolean({ summary: 'reset or replace an existing state file' }) };

  plan({ flags }: Parsed<typeof EmuInit>): Plan {
    return { choice: this.choice(flags), step: { local: async () => this.create(flags) } };
  }

  private create(flags: { force?: boolean } & GlobalFlags) {
    const path = this.statePath(flags);
    let action = 'created';
    if (existsSync(path)) {
      if (!flags.force) throw refused('EEXIST', this.op, `state file ${path} already exists (use --force to reset it)`);
      action = 'reset';
      let st: StateStore | undefined;
      try {
        st = StateStore.open(path);
      } catch {
        removeStateFile(path);
        action = 'replaced';
      }
      if (st) {
        const store = st;
        try { store.tx(() => resetHost(store)); } finally { store.close(); }
      }
    }
    if (action !== 'reset') StateStore.open(path).close();
    return { state: path, action };
  }
}
