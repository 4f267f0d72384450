/**
 * The one place a backend is chosen (docs/CONTRACT.md, global flags): `auto` means native when
 * /dev/xen/privcmd exists, emu otherwise, and a native host never falls back silently to the
 * emulator.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { usage } from '../errors.js';
import { EmuBackend } from '../emu/backend.js';
import { defaultStatePath } from '../emu/store.js';
import { XEN_DEVICE_DIR } from '../native/paths.js';
import type { Backend, BackendName } from './types.js';

export interface BackendChoice {
  backend: 'auto' | BackendName;
  state?: string;
  as?: number;
}

export function resolveBackendName(choice: BackendChoice['backend']): BackendName {
  if (choice !== 'auto') return choice;
  return existsSync(`${XEN_DEVICE_DIR}/privcmd`) ? 'native' : 'emu';
}

export async function openBackend(choice: BackendChoice): Promise<Backend> {
  const name = resolveBackendName(choice.backend);
  if (name === 'native') {
    // loaded only when used: the native side pulls in the addon, the agent client and execa
    const { openNative } = await import('../native/backend.js');
    return openNative(choice.as);
  }
  if (choice.state !== undefined && choice.state.trim() === '') throw usage('state', '--state: empty path');
  return EmuBackend.open(resolve(choice.state ?? defaultStatePath()), choice.as ?? 0);
}
