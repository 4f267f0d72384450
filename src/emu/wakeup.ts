/**
 * Waiting for another process's commit. Every commit writes the state file's WAL, so an
 * inotify watch on its directory wakes a waiter within milliseconds; a short poll covers
 * filesystems where watching does not work.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

const FALLBACK_POLL_MS = 50;

export class ChangeWatcher {
  private watcher?: FSWatcher;
  private wake?: () => void;

  constructor(statePath: string) {
    const name = basename(statePath);
    try {
      this.watcher = watch(dirname(statePath), { persistent: false }, (_event, file) => {
        if (!file || String(file).startsWith(name)) this.wake?.();
      });
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined;
    }
  }

  /** Resolves at the next change of the state file, or after `ms` at the latest. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.min(ms, this.watcher ? 1000 : FALLBACK_POLL_MS));
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
