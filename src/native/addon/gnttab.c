/* /dev/xen/gntalloc and /dev/xen/gntdev: granting pages, and mapping other domains' grants. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/gntdev.h>
#include <xen/gntalloc.h>

#include "addon.h"
#include "helpers.h"
#include "mappings.h"

napi_value js_gntalloc_alloc(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int64_t fd, domid, count;
  bool writable;
  if (!get_args(env, info, 4, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &domid) ||
      !arg_bool(env, argv[2], &writable) || !arg_i64(env, argv[3], &count)) return NULL;
  if (count < 1 || count > 1 << 20) { errno = EINVAL; return throw_errno(env, EINVAL, "IOCTL_GNTALLOC_ALLOC_GREF"); }
  size_t size = sizeof(struct ioctl_gntalloc_alloc_gref) + (size_t)count * sizeof(uint32_t);
  struct ioctl_gntalloc_alloc_gref *op = calloc(1, size);
  if (!op) return throw_errno(env, ENOMEM, "IOCTL_GNTALLOC_ALLOC_GREF");
  op->domid = (uint16_t)domid;
  op->flags = writable ? GNTALLOC_FLAG_WRITABLE : 0;
  op->count = (uint32_t)count;
  if (ioctl((int)fd, IOCTL_GNTALLOC_ALLOC_GREF, op) < 0) {
    int e = errno;
    free(op);
    return throw_errno(env, e, "IOCTL_GNTALLOC_ALLOC_GREF");
  }
  napi_value result, refs;
  napi_create_object(env, &result);
  napi_create_array_with_length(env, (size_t)count, &refs);
  for (int64_t i = 0; i < count; i++) napi_set_element(env, refs, (uint32_t)i, num(env, op->gref_ids[i]));
  napi_set_named_property(env, result, "index", num(env, (double)op->index));
  napi_set_named_property(env, result, "refs", refs);
  free(op);
  return result;
}

napi_value js_gntalloc_dealloc(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd, index, count;
  if (!get_args(env, info, 3, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &index) ||
      !arg_i64(env, argv[2], &count)) return NULL;
  struct ioctl_gntalloc_dealloc_gref op = { .index = (uint64_t)index, .count = (uint32_t)count };
  if (ioctl((int)fd, IOCTL_GNTALLOC_DEALLOC_GREF, &op) < 0) return throw_errno(env, errno, "IOCTL_GNTALLOC_DEALLOC_GREF");
  return undefined(env);
}

/* A MAP_GRANT_REF request for `count` refs of `domid`, zeroed (refs to fill); NULL without memory. */
static struct ioctl_gntdev_map_grant_ref *map_request(uint32_t count, uint32_t domid) {
  size_t size = sizeof(struct ioctl_gntdev_map_grant_ref) + (count ? count - 1 : 0) * sizeof(struct ioctl_gntdev_grant_ref);
  struct ioctl_gntdev_map_grant_ref *op = calloc(1, size);
  if (!op) return NULL;
  op->count = count;
  for (uint32_t i = 0; i < count; i++) op->refs[i].domid = domid;
  return op;
}

/* gntdevMap(fd, domid, refs[]) -> index */
napi_value js_gntdev_map(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd, domid;
  uint32_t count;
  if (!get_args(env, info, 3, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &domid)) return NULL;
  if (napi_get_array_length(env, argv[2], &count) != napi_ok) { napi_throw_type_error(env, NULL, "expected refs"); return NULL; }
  struct ioctl_gntdev_map_grant_ref *op = map_request(count, (uint32_t)domid);
  if (!op) return throw_errno(env, ENOMEM, "IOCTL_GNTDEV_MAP_GRANT_REF");
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    int64_t ref;
    napi_get_element(env, argv[2], i, &v);
    if (!arg_i64(env, v, &ref)) { free(op); return NULL; }
    op->refs[i].ref = (uint32_t)ref;
  }
  if (ioctl((int)fd, IOCTL_GNTDEV_MAP_GRANT_REF, op) < 0) {
    int e = errno;
    free(op);
    return throw_errno(env, e, "IOCTL_GNTDEV_MAP_GRANT_REF");
  }
  double index = (double)op->index;
  free(op);
  return num(env, index);
}

napi_value js_gntdev_unmap(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd, index, count;
  if (!get_args(env, info, 3, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &index) ||
      !arg_i64(env, argv[2], &count)) return NULL;
  struct ioctl_gntdev_unmap_grant_ref op = { .index = (uint64_t)index, .count = (uint32_t)count };
  if (ioctl((int)fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &op) < 0) return throw_errno(env, errno, "IOCTL_GNTDEV_UNMAP_GRANT_REF");
  return undefined(env);
}

/*
 * gntdevRun(fd, ops, results) -> how many ops were done. A batch's grant maps and unmaps in one
 * call: in a PV guest every system call leaves the (emulated) TLB cold, and JavaScript run
 * between two of them costs several times what it costs in a row. ops (a Float64Array), one
 * after another:   1 domid writable count ref...   map: MAP_GRANT_REF, then mmap
 *                  2 index id                      unmap: UNMAP_GRANT_REF, then munmap
 * (id: the mapping id the caller's books hold for that index, or 0 for a map made in this
 * call — looked for then, lowest id first, as mapping_add hands them out)
 * results (a Float64Array), two per op: a map's index and mapping id; an unmap's released
 * mapping id and page count. Stops at the first op that fails, with nothing of it left done,
 * and returns its position: the caller makes it again the ordinary way, which fails as it did
 * here and says why (a refused map needs GRANT_COPYs to find its GNTST code).
 */
static int run_map(int fd, const double *op, double *out) {
  uint32_t count = (uint32_t)op[3];
  struct ioctl_gntdev_map_grant_ref *m = map_request(count, (uint32_t)op[1]);
  if (!m) return 0;
  for (uint32_t i = 0; i < count; i++) m->refs[i].ref = (uint32_t)op[4 + i];
  int ok = ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, m) == 0;
  if (ok) {
    int id = mapping_add(fd, (size_t)count * PAGE, op[2] != 0, (int64_t)m->index);
    if (id > 0) {
      out[0] = (double)m->index;
      out[1] = id;
    } else {
      struct ioctl_gntdev_unmap_grant_ref undo = { .index = m->index, .count = count };
      ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &undo);
      ok = 0;
    }
  }
  free(m);
  return ok;
}

static int run_unmap(int fd, int64_t index, int64_t hint, double *out) {
  struct mapping *m = mapping_at(fd, index, hint);
  if (!m) return 0;
  struct ioctl_gntdev_unmap_grant_ref op = { .index = (uint64_t)index, .count = (uint32_t)(m->len / PAGE) };
  if (ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &op) < 0) return 0;
  out[0] = mapping_id(m);
  out[1] = op.count;
  mapping_drop(m);
  return 1;
}

napi_value js_gntdev_run(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd;
  napi_typedarray_type type[2];
  size_t len[2];
  void *data[2];
  if (!get_args(env, info, 3, argv) || !arg_i64(env, argv[0], &fd)) return NULL;
  for (int i = 0; i < 2; i++) {
    if (napi_get_typedarray_info(env, argv[1 + i], &type[i], &len[i], &data[i], NULL, NULL) != napi_ok ||
        type[i] != napi_float64_array) {
      napi_throw_type_error(env, NULL, "expected Float64Arrays");
      return NULL;
    }
  }
  const double *ops = data[0];
  double *results = data[1];
  size_t at = 0, done = 0;
  while (at < len[0]) {
    int kind = (int)ops[at];
    size_t width = kind == 1 && at + 3 < len[0] ? 4 + (size_t)ops[at + 3] : kind == 2 ? 3 : 0;
    if (!width || at + width > len[0] || 2 * done + 2 > len[1]) {
      napi_throw_range_error(env, NULL, "gntdevRun: malformed ops");
      return NULL;
    }
    double *out = results + 2 * done;
    int ok = kind == 1 ? run_map((int)fd, ops + at, out) : run_unmap((int)fd, (int64_t)ops[at + 1], (int64_t)ops[at + 2], out);
    if (!ok) break;
    at += width;
    done++;
  }
  return num(env, (double)done);
}
