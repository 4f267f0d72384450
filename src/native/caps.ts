/** What the native backend can do, known without touching the devices. */
import type { Capabilities, Limits } from '../backend/types.js';

export const NATIVE_CAPS: Capabilities = {
  map_multiple: true,
  grant_copy: true,
  dma_buf: false, // no released Xen has get/put_dma_buf; memory_op 26/27 are other operations now
  domain_control: false,
  act_as_any_domain: false,
};

export const NATIVE_LIMITS: Limits = {
  gntalloc_limit: 1024,
  gntdev_map_limit: 65536,
  default_max_grant_frames: 64,
  grant_entries_per_frame: 512,
  maptrack_entries: 1024 * 256,
};
