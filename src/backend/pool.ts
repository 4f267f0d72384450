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

/**
 * Values by the choice that named them: by backend, then --state as given, then --as. (A key
 * string built at every line and hashed anew cost more than the lines' three lookups.)
 */
class ByChoice<V> {
  private readonly tree = new Map<string, Map<string | undefined, Map<number | undefined, V>>>();

  get(c: BackendChoice): V | undefined {
    return this.tree.get(c.backend)?.get(c.state)?.get(c.as);
  }

  set(c: BackendChoice, v: V): void {
    let states = this.tree.get(c.backend);
    if (!states) this.tree.set(c.backend, (states = new Map()));
    let domains = states.get(c.state);
    if (!domains) states.set(c.state, (domains = new Map()));
    domains.set(c.as, v);
  }

  delete(c: BackendChoice): void {
    this.tree.get(c.backend)?.get(c.state)?.delete(c.as);
  }

  *values(): Generator<V> {
    for (const states of this.tree.values()) for (const domains of states.values()) yield* domains.values();
  }
}

export class BackendPool {
  private readonly backends = new ByChoice<Promise<Backend>>();
  private readonly ready = new ByChoice<Backend>();
  private readonly stores = new Map<string, StateStore>();
  /** what --backend auto means here, looked up once (a file-system call) */
  private auto?: BackendName;

  /** The backend `choice` names (opened on first use; a failure to open is not kept). */
  get(choice: BackendChoice): Promise<Backend> {
    let b = this.backends.get(choice);
    if (!b) {
      b = this.open(choice);
      this.backends.set(choice, b);
      b.then((x) => this.ready.set(choice, x), () => this.backends.delete(choice));
    }
    return b;
  }

  /** The backend `choice` names if it is open already (a line needs no turn of the event loop for it). */
  opened(choice: BackendChoice): Backend | undefined {
    return this.ready.get(choice);
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
