/**
 * Which build of xgt the agent runs. An agent outlives updates of xgt: it keeps the code it
 * started with, while the files on disk — the command chunks a batch loads when it first needs
 * them, the CLI that talks to it — may be another build's. scripts/bundle.mjs writes
 * dist/build-id, a hash of everything it built.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';

/** The build on disk now (null when there is none, as under the tests' source tree). */
export function buildOnDisk(): string | null {
  try {
    return readFileSync(join(packageRoot(), 'dist/build-id'), 'utf8').trim();
  } catch {
    return null;
  }
}

/** What the agent started as; `stale` once xgt on disk is another build. */
export class AgentBuild {
  readonly id = buildOnDisk();

  get stale(): boolean {
    return buildOnDisk() !== this.id;
  }
}
