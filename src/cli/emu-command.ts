/** Base of the emu commands: they always work on the emulator's state file, whatever --backend auto finds. */
import { resolve } from 'node:path';
import { usage } from '../errors.js';
import { defaultStatePath, StateStore } from '../emu/store.js';
import { XgtCommand, type GlobalFlags } from './base.js';

export abstract class EmuCommand extends XgtCommand {
  protected statePath(flags: GlobalFlags): string {
    if (flags.backend === 'native') throw usage(this.op, 'emu commands work on the emulator only (not with --backend native)');
    if (flags.state !== undefined && flags.state.trim() === '') throw usage(this.op, '--state: empty path');
    return resolve(flags.state ?? defaultStatePath());
  }

  protected withStore<T>(flags: GlobalFlags, fn: (st: StateStore) => T): T {
    const st = StateStore.open(this.statePath(flags));
    try {
      return fn(st);
    } finally {
      st.close();
    }
  }
}
