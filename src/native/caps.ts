/** What the native backend can do, known without touching the devices. */
import type { Capabilities, Limits } from '../backend/types.js';
import { STOCK_LIMITS } from '../xen.js';

export const NATIVE_CAPS: Capabilities = {
  map_multiple: true,
  grant_copy: true,
  dma_buf: false, // no released Xen has get/put_dma_buf; memory_op 26/27 are other operations now
  domain_control: false,
  act_as_any_domain: false,
};

export const NATIVE_LIMITS: Limits = STOCK_LIMITS;
