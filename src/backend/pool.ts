/**
 * The backends of a batch's lines: each line names its backend with the global flags, and a
 * backend is opened once for all the lines that name it. Emulated backends of one state file
 * share one connection and one group transaction whatever domain they act as, so a script that
 * goes back and forth between two domains commits no more often than one that stays in one.
 */
import { resolve } from 'node:path';
import { EmuBackend } from '../emu/backend.js';
import { defaultStatePath, StateStore } from '../emu/store.js';
import { openBackend, resolveBackendName, type BackendChoice } from './select.js';
import { usage } from '../errors.js';
import type { Backend, BackendName } from './types.js';

const keyOf = (c: BackendChoice) => `${c.backend} ${c.as ?? '-'} ${c.state ?? ''}`;

export class BackendPool {
  private readonly backends = new Map<string, Promise<Backend>>();
  private readonly ready = new Map<string, Backend>();
  private readonly stores = new Map<string, StateStore>();
  /** what --backend auto means here, looked up once (a file-system call) */
  private auto?: BackendName;

  /** The backend `choice` names (opened on first use; a failure to open is not kept). */
  get(choice: BackendChoice): Promise<Backend> {
    const key = keyOf(choice);
    let b = this.backends.get(key);
    if (!b) {
      b = this.open(choice);
      this.backends.set(key, b);
      b.then((x) => this.ready.set(key, x), () => this.backends.delete(key));
    }
    return b;
  }

  /** The backend `choice` names if it is open already (a line needs no turn of the event loop for it). */
  opened(choice: BackendChoice): Backend | undefined {
    return this.ready.get(keyOf(choice));
  }

  private async open(choice: BackendChoice): Promise<Backend> {
    const name = choice.backend === 'auto' ? (this.auto ??= resolveBackendName('auto')) : choice.backend;
    return name === 'emu' ? this.openEmu(choice) : openBackend({ ...choice, backend: name });
  }

  /**
   * Commits what the emulated backends hold back: their state files run one transaction across
   * lines (StateStore.beginGroup), each line a savepoint, so that a crash loses only what was not
   * yet committed — and printed.
   */
  flush(): void {
    for (const st of this.stores.values()) st.flushGroup();
  }

  close(): void {
    this.flush();
    for (const b of this.backends.values()) b.then((x) => x.close(), () => {});
    for (const st of this.stores.values()) st.close();
  }

  private statePath(choice: BackendChoice): string {
    if (choice.state !== undefined && choice.state.trim() === '') throw usage('state', '--state: empty path');
    return resolve(choice.state ?? defaultStatePath());
  }

  /** Backends of one state file, whatever --state spelled it, share its connection. */
  private async openEmu(choice: BackendChoice): Promise<Backend> {
    const path = this.statePath(choice);
    let st = this.stores.get(path);
    if (!st) {
      st = StateStore.open(path);
      st.beginGroup();
      this.stores.set(path, st);
    }
    return EmuBackend.actingAs(choice.as ?? 0, st);
  }
}
