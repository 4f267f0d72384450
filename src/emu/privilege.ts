/**
 * Looking at another domain's grant table, ports or memory is Domain-0's privilege (XSM's
 * default policy); a guest sees only its own, and a device-model stub domain also its target's
 * ioreq servers.
 */
import { refused } from '../errors.js';
import type { StateStore } from './store.js';

export function mayInspect(st: StateStore, caller: number, domid: number, op: string, asDeviceModel = false): void {
  if (caller === 0 || caller === domid) return;
  if (asDeviceModel && st.get('SELECT 1 FROM domains WHERE domid = ? AND dm_target = ?', caller, domid)) return;
  throw refused('EPERM', op, `domain ${caller} may not inspect domain ${domid}`);
}
