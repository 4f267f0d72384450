/**
 * The native backend: the real /dev/xen devices, through the N-API addon and the per-user
 * agent that keeps their file descriptors open. Loaded lazily, so that every other command
 * works on machines without the addon; "cannot load" becomes one clear exit-3 line.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { unavailable } from '../errors.js';
import type { Backend } from '../backend/types.js';

export const XEN_DEVICE_DIR = process.env.XGT_XEN_DEVICE_DIR ?? '/dev/xen';
export const DEVICES = ['privcmd', 'gntdev', 'gntalloc', 'evtchn'] as const;

const ADDON_PATH = fileURLToPath(new URL('../../build/Release/xgt_native.node', import.meta.url));

/** Why the native backend cannot be used here, or null when it can be tried. */
export function nativeUnavailableReason(): string | null {
  for (const dev of DEVICES) {
    const path = `${XEN_DEVICE_DIR}/${dev}`;
    if (!existsSync(path)) return `${path} does not exist: this is not a Xen host (or its drivers are not loaded)`;
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch {
      return `permission denied on ${path} (run as root, or get access to the Xen devices)`;
    }
  }
  if (!existsSync(ADDON_PATH)) {
    return `the native addon is not built (${ADDON_PATH} is missing)`;
  }
  return null;
}

export async function openNative(_as: number | undefined): Promise<Backend> {
  const why = nativeUnavailableReason();
  if (why) throw unavailable('native', `native backend unavailable: ${why}`);
  createRequire(import.meta.url)(ADDON_PATH);
  throw unavailable('native', 'native backend unavailable: this build of xgt has no native backend yet');
}
