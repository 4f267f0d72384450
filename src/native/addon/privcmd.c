/*
 * /dev/xen/privcmd: hypercalls and device-model operations. Their arguments are copied into
 * locked pages, as privcmd needs them resident.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <xen/xen.h>
#include <xen/privcmd.h>

#include "addon.h"
#include "helpers.h"

/* hypercall(fd, op, a0, buffer|null, a2) -> rc; the buffer is arg1, copied through locked pages */
napi_value js_hypercall(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int64_t fd, op, a0, a2;
  if (!get_args(env, info, 5, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &op) ||
      !arg_i64(env, argv[2], &a0) || !arg_i64(env, argv[4], &a2)) return NULL;
  void *data = NULL;
  size_t length = 0;
  napi_valuetype t;
  napi_typeof(env, argv[3], &t);
  if (t != napi_null && napi_get_buffer_info(env, argv[3], &data, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a Buffer or null");
    return NULL;
  }
  void *locked = NULL;
  size_t size = (length + PAGE - 1) & ~(size_t)(PAGE - 1);
  if (length) {
    locked = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
    if (locked == MAP_FAILED) return throw_errno(env, errno, "mmap (hypercall buffer)");
    memcpy(locked, data, length);
  }
  struct privcmd_hypercall h = { .op = (uint64_t)op, .arg = { (uint64_t)a0, (uint64_t)(uintptr_t)locked, (uint64_t)a2, 0, 0 } };
  long rc = ioctl((int)fd, IOCTL_PRIVCMD_HYPERCALL, &h);
  int e = errno;
  if (length) {
    memcpy(data, locked, length);
    munmap(locked, size);
  }
  if (rc < 0) return throw_errno(env, e, "IOCTL_PRIVCMD_HYPERCALL");
  return num(env, (double)rc);
}

/* dmOp(fd, domid, buffer): one xen_dm_op buffer, copied back (ops write results into it) */
napi_value js_dm_op(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd, domid;
  void *data;
  size_t length;
  if (!get_args(env, info, 3, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &domid)) return NULL;
  if (napi_get_buffer_info(env, argv[2], &data, &length) != napi_ok) { napi_throw_type_error(env, NULL, "expected a Buffer"); return NULL; }
  void *locked = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
  if (locked == MAP_FAILED) return throw_errno(env, errno, "mmap (dm_op buffer)");
  if (length > PAGE) length = PAGE;
  memcpy(locked, data, length);
  struct privcmd_dm_op_buf buf = { .uptr = locked, .size = length };
  struct privcmd_dm_op op = { .dom = (domid_t)domid, .num = 1, .ubufs = &buf };
  int rc = ioctl((int)fd, IOCTL_PRIVCMD_DM_OP, &op);
  int e = errno;
  memcpy(data, locked, length);
  munmap(locked, PAGE);
  if (rc < 0) return throw_errno(env, e, "IOCTL_PRIVCMD_DM_OP");
  return undefined(env);
}
