/**
 * The numbers of Xen 4.17 and Linux 6.1 that both backends and the emulator's rules share, in one
 * place (docs/XEN-RULES.md: gntdev, gntalloc, grant table): page size, the grant table's and the drivers' limits, grant-entry
 * flags, and the grant status codes of public/grant_table.h.
 */
import type { Limits } from './backend/types.js';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export const GRANT_ENTRIES_PER_FRAME = 512; // v1: 8-byte entries in a 4 KiB frame
export const GNTTAB_NR_RESERVED_ENTRIES = 8; // Linux never hands out refs 0-7
export const GNTALLOC_LIMIT = 1024; // xen_gntalloc module parameter `limit`: grefs per kernel
export const GNTDEV_MAP_LIMIT = 65536; // xen_gntdev module parameter `limit`: refs per MAP call
export const MAPTRACK_ENTRIES = 1024 * 256; // gnttab_max_maptrack_frames × 16-byte entries
export const PIN_COUNTER_MAX = 128; // Xen refuses once a pin counter's top bit is set
export const DEFAULT_MAX_GRANT_FRAMES = 64;
export const GTF_PERMIT_ACCESS = 0x1;
export const GTF_READONLY = 0x4;
export const DOMID_FIRST_RESERVED = 0x7ff0;

/** A stock host's limits, as `xgt info` reports them (the drivers' two are read live natively). */
export const STOCK_LIMITS: Limits = {
  gntalloc_limit: GNTALLOC_LIMIT,
  gntdev_map_limit: GNTDEV_MAP_LIMIT,
  default_max_grant_frames: DEFAULT_MAX_GRANT_FRAMES,
  grant_entries_per_frame: GRANT_ENTRIES_PER_FRAME,
  maptrack_entries: MAPTRACK_ENTRIES,
};

/** hvmmem_type_t (public/hvm/hvm_op.h), in number order */
export const HVMMEM_TYPES = ['ram_rw', 'ram_ro', 'mmio_dm', 'unused', 'ioreq_server'] as const;
/** an ioreq server's buffered-ioreq handling (XEN_DMOP_create_ioreq_server's handle_bufioreq) */
export const BUFIOREQ_MODES = ['off', 'legacy', 'atomic'] as const;

/** public/grant_table.h status codes (value → name, message), in code order. */
export const GNTST: Record<number, [name: string, message: string]> = {
  0: ['GNTST_okay', 'okay'],
  [-1]: ['GNTST_general_error', 'undefined error'],
  [-2]: ['GNTST_bad_domain', 'unrecognised domain id'],
  [-3]: ['GNTST_bad_gntref', 'invalid grant reference'],
  [-4]: ['GNTST_bad_handle', 'invalid mapping handle'],
  [-5]: ['GNTST_bad_virt_addr', 'invalid virtual address'],
  [-6]: ['GNTST_bad_dev_addr', 'invalid device address'],
  [-7]: ['GNTST_no_device_space', 'no spare translation slot in the I/O MMU'],
  [-8]: ['GNTST_permission_denied', 'permission denied'],
  [-9]: ['GNTST_bad_page', 'bad page'],
  [-10]: ['GNTST_bad_copy_arg', 'copy arguments cross page boundary'],
  [-11]: ['GNTST_address_too_big', 'page address size too large'],
  [-12]: ['GNTST_eagain', 'operation not done; try again'],
  [-13]: ['GNTST_no_space', 'out of space'],
};

export const GNTST_GENERAL_ERROR = -1;
export const GNTST_BAD_DOMAIN = -2;
export const GNTST_BAD_GNTREF = -3;
export const GNTST_BAD_PAGE = -9;
export const GNTST_BAD_COPY_ARG = -10;
export const GNTST_NO_SPACE = -13;

export function gntstMessage(status: number): string {
  const [name, text] = GNTST[status] ?? ['GNTST_unknown', 'unknown status'];
  return `${name} (${text})`;
}

/** What a domain's view of its own grant table lacks (Xen maps no domain its own table), said once for both backends. */
export const OWN_TABLE_NOTE = 'Xen shows no domain its own grant table: listed are the grants xgt made, '
  + 'in_use only where the domain maps its own grant, and no frames';
