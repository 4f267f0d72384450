/** The limits of a stock Xen 4.17 + Linux 6.1 host (XEN-FACTS A, B, D). */
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
