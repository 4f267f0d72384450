/*
 * xgt's native addon: the only code that knows ioctl numbers and structure layouts of
 * /dev/xen/{gntalloc,gntdev,evtchn,privcmd} (gnttab.c, mappings.c, evtchn.c, privcmd.c, layout.c). Compiled
 * against the kernel's own UAPI headers (linux-libc-dev) and Xen's public headers (libxen-dev).
 * This file: opening and closing the devices, and the module's table of functions.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "addon.h"
#include "helpers.h"

static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  char path[256];
  size_t len;
  bool nonblock;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a path");
    return NULL;
  }
  if (!arg_bool(env, argv[1], &nonblock)) return NULL;
  int fd = open(path, O_RDWR | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
  if (fd < 0) return throw_errno(env, errno, path);
  return num(env, fd);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t fd;
  if (!get_args(env, info, 1, argv) || !arg_i64(env, argv[0], &fd)) return NULL;
  close((int)fd);
  return undefined(env);
}

/* ---------------------------------------------------------------- module */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
    { "open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
    { "gntallocAlloc", NULL, js_gntalloc_alloc, NULL, NULL, NULL, napi_default, NULL },
    { "gntallocDealloc", NULL, js_gntalloc_dealloc, NULL, NULL, NULL, napi_default, NULL },
    { "gntdevMap", NULL, js_gntdev_map, NULL, NULL, NULL, napi_default, NULL },
    { "gntdevUnmap", NULL, js_gntdev_unmap, NULL, NULL, NULL, napi_default, NULL },
    { "gntdevRun", NULL, js_gntdev_run, NULL, NULL, NULL, napi_default, NULL },
    { "mmap", NULL, js_mmap, NULL, NULL, NULL, napi_default, NULL },
    { "munmap", NULL, js_munmap, NULL, NULL, NULL, napi_default, NULL },
    { "mapRead", NULL, js_map_read, NULL, NULL, NULL, napi_default, NULL },
    { "mapWrite", NULL, js_map_write, NULL, NULL, NULL, napi_default, NULL },
    { "evtchnBindVirq", NULL, js_evtchn_bind_virq, NULL, NULL, NULL, napi_default, NULL },
    { "evtchnBindInterdomain", NULL, js_evtchn_bind_interdomain, NULL, NULL, NULL, napi_default, NULL },
    { "evtchnBindUnbound", NULL, js_evtchn_bind_unbound, NULL, NULL, NULL, napi_default, NULL },
    { "evtchnUnbind", NULL, js_evtchn_unbind, NULL, NULL, NULL, napi_default, NULL },
    { "evtchnNotify", NULL, js_evtchn_notify, NULL, NULL, NULL, napi_default, NULL },
    { "evtchnRead", NULL, js_evtchn_read, NULL, NULL, NULL, napi_default, NULL },
    { "evtchnUnmask", NULL, js_evtchn_unmask, NULL, NULL, NULL, napi_default, NULL },
    { "pollReadable", NULL, js_poll_readable, NULL, NULL, NULL, napi_default, NULL },
    { "hypercall", NULL, js_hypercall, NULL, NULL, NULL, napi_default, NULL },
    { "dmOp", NULL, js_dm_op, NULL, NULL, NULL, napi_default, NULL },
    { "domainInfo", NULL, js_domain_info, NULL, NULL, NULL, napi_default, NULL },
    { "grantFrames", NULL, js_grant_frames, NULL, NULL, NULL, napi_default, NULL },
    { "gntdevCopy", NULL, js_gntdev_copy, NULL, NULL, NULL, napi_default, NULL },
    { "gntdevCopyProbe", NULL, js_gntdev_copy_probe, NULL, NULL, NULL, napi_default, NULL },
    { "layout", NULL, js_layout, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
