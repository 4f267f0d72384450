/*
 * What the addon's files export to its module table (xgt_native.c): one function per call
 * JavaScript makes. Each file knows one device's ioctls and structures.
 */
#ifndef XGT_ADDON_H
#define XGT_ADDON_H

#include <node_api.h>

#define PAGE 4096

#define XGT_FN(name) napi_value name(napi_env env, napi_callback_info info)

/* gnttab.c: gntalloc and gntdev */
XGT_FN(js_gntalloc_alloc);
XGT_FN(js_gntalloc_dealloc);
XGT_FN(js_gntdev_map);
XGT_FN(js_gntdev_unmap);
XGT_FN(js_gntdev_run);

/* mappings.c: the table of mappings JavaScript reaches by id */
XGT_FN(js_mmap);
XGT_FN(js_munmap);
XGT_FN(js_map_read);
XGT_FN(js_map_write);

/* evtchn.c */
XGT_FN(js_evtchn_bind_virq);
XGT_FN(js_evtchn_bind_interdomain);
XGT_FN(js_evtchn_bind_unbound);
XGT_FN(js_evtchn_unbind);
XGT_FN(js_evtchn_notify);
XGT_FN(js_evtchn_read);
XGT_FN(js_evtchn_unmask);
XGT_FN(js_poll_readable);

/* privcmd.c */
XGT_FN(js_hypercall);
XGT_FN(js_dm_op);

/* inspect.c: what Xen holds for any domain, and copies through a grant */
XGT_FN(js_domain_info);
XGT_FN(js_grant_frames);
XGT_FN(js_gntdev_copy);
XGT_FN(js_gntdev_copy_probe);

/* layout.c: ioctl numbers and structure layouts, for the tests to hold the JavaScript side to */
XGT_FN(js_layout);

#endif
