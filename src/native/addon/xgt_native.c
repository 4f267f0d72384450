/*
 * xgt's native addon: the only code that knows ioctl numbers and structure layouts of
 * /dev/xen/{gntalloc,gntdev,evtchn,privcmd}. Compiled against the kernel's own UAPI headers
 * (linux-libc-dev) and Xen's public headers (libxen-dev).
 *
 * Memory safety: JavaScript never sees a pointer. Mappings live in a table here and are reached
 * by id; reads and writes copy, with bounds checked, so nothing refers to a mapping after munmap.
 * Hypercall arguments are copied into locked pages, as privcmd needs them resident.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include <xen/version.h>
#include <xen/hvm/dm_op.h>
#include <xen/hvm/hvm_op.h>

#include <xen/privcmd.h>
#include <xen/gntdev.h>
#include <xen/gntalloc.h>
#include <xen/evtchn.h>

#include <node_api.h>

#define PAGE 4096
#define MAX_MAPPINGS 65536

/* ---------------------------------------------------------------- helpers */

#define CHECK(call)                                                               \
  do {                                                                            \
    if ((call) != napi_ok) { napi_throw_error(env, NULL, "napi call failed"); return NULL; } \
  } while (0)

static napi_value throw_errno(napi_env env, int err, const char *what) {
  napi_value msg, error, num;
  char text[256];
  snprintf(text, sizeof text, "%s: %s", what, strerror(err));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_throw(env, error);
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "wrong number of arguments");
    return 0;
  }
  return 1;
}

static int arg_i64(napi_env env, napi_value v, int64_t *out) {
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a number");
    return 0;
  }
  return 1;
}

static int arg_bool(napi_env env, napi_value v, bool *out) {
  if (napi_get_value_bool(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a boolean");
    return 0;
  }
  return 1;
}

static napi_value num(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

static napi_value undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

/* ---------------------------------------------------------------- files */

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

/* ---------------------------------------------------------------- gntalloc */

static napi_value js_gntalloc_alloc(napi_env env, napi_callback_info info) {
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

static napi_value js_gntalloc_dealloc(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd, index, count;
  if (!get_args(env, info, 3, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &index) ||
      !arg_i64(env, argv[2], &count)) return NULL;
  struct ioctl_gntalloc_dealloc_gref op = { .index = (uint64_t)index, .count = (uint32_t)count };
  if (ioctl((int)fd, IOCTL_GNTALLOC_DEALLOC_GREF, &op) < 0) return throw_errno(env, errno, "IOCTL_GNTALLOC_DEALLOC_GREF");
  return undefined(env);
}

/* ---------------------------------------------------------------- gntdev */

/* gntdevMap(fd, domid, refs[]) -> index */
static napi_value js_gntdev_map(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd, domid;
  uint32_t count;
  if (!get_args(env, info, 3, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &domid)) return NULL;
  if (napi_get_array_length(env, argv[2], &count) != napi_ok) { napi_throw_type_error(env, NULL, "expected refs"); return NULL; }
  size_t size = sizeof(struct ioctl_gntdev_map_grant_ref) + (count ? count - 1 : 0) * sizeof(struct ioctl_gntdev_grant_ref);
  struct ioctl_gntdev_map_grant_ref *op = calloc(1, size);
  if (!op) return throw_errno(env, ENOMEM, "IOCTL_GNTDEV_MAP_GRANT_REF");
  op->count = count;
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    int64_t ref;
    napi_get_element(env, argv[2], i, &v);
    if (!arg_i64(env, v, &ref)) { free(op); return NULL; }
    op->refs[i].domid = (uint32_t)domid;
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

static napi_value js_gntdev_unmap(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd, index, count;
  if (!get_args(env, info, 3, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &index) ||
      !arg_i64(env, argv[2], &count)) return NULL;
  struct ioctl_gntdev_unmap_grant_ref op = { .index = (uint64_t)index, .count = (uint32_t)count };
  if (ioctl((int)fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &op) < 0) return throw_errno(env, errno, "IOCTL_GNTDEV_UNMAP_GRANT_REF");
  return undefined(env);
}

/*
 * gntdevCopyStatus(fd, domid, ref) -> GNTST status of a one-byte GRANT_COPY out of (domid, ref):
 * mmap() reports every refused map as EINVAL, this says why.
 */
static napi_value js_gntdev_copy_status(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd, domid, ref;
  if (!get_args(env, info, 3, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &domid) ||
      !arg_i64(env, argv[2], &ref)) return NULL;
  char byte;
  struct gntdev_grant_copy_segment seg;
  memset(&seg, 0, sizeof seg);
  seg.source.foreign.ref = (uint32_t)ref;
  seg.source.foreign.offset = 0;
  seg.source.foreign.domid = (uint16_t)domid;
  seg.dest.virt = &byte;
  seg.len = 1;
  seg.flags = GNTCOPY_source_gref;
  struct ioctl_gntdev_grant_copy op = { .count = 1, .segments = &seg };
  if (ioctl((int)fd, IOCTL_GNTDEV_GRANT_COPY, &op) < 0) return throw_errno(env, errno, "IOCTL_GNTDEV_GRANT_COPY");
  return num(env, seg.status);
}

/* ---------------------------------------------------------------- mappings */

/* fd and offset: a gntdev mapping is found again by its grant index (gntdevRun's unmap) */
struct mapping { void *addr; size_t len; bool writable; int fd; int64_t offset; };
static struct mapping mappings[MAX_MAPPINGS];
/* ids are handed out lowest first, so no live one is above this */
static int mappings_top;

/* mmaps fd at offset into a new table entry: its id; 0 when the table is full; or -errno */
static int mapping_add(int fd, size_t length, bool writable, int64_t offset) {
  int id = 1;
  while (id < MAX_MAPPINGS && mappings[id].addr) id++;
  if (id == MAX_MAPPINGS) return 0;
  void *p;
  /* gntdev's mmap fails with EINTR when any signal is pending (seen under a profiler's SIGPROF);
     nothing is mapped then, so it is made again, as an interrupted system call is */
  int tries = 0;
  do p = mmap(NULL, length, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, (off_t)offset);
  while (p == MAP_FAILED && errno == EINTR && ++tries < 1000);
  if (p == MAP_FAILED) return -errno;
  mappings[id] = (struct mapping){ p, length, writable, fd, offset };
  if (id > mappings_top) mappings_top = id;
  return id;
}

static void mapping_drop(struct mapping *m) {
  munmap(m->addr, m->len);
  m->addr = NULL;
  while (mappings_top > 0 && !mappings[mappings_top].addr) mappings_top--;
}

/* mmap(fd, length, writable, offset) -> id */
static napi_value js_mmap(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int64_t fd, length, offset;
  bool writable;
  if (!get_args(env, info, 4, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &length) ||
      !arg_bool(env, argv[2], &writable) || !arg_i64(env, argv[3], &offset)) return NULL;
  int id = mapping_add((int)fd, (size_t)length, writable, offset);
  if (id <= 0) return id ? throw_errno(env, -id, "mmap") : throw_errno(env, ENOMEM, "mmap (too many mappings)");
  return num(env, id);
}

static struct mapping *mapping_arg(napi_env env, napi_value v) {
  int64_t id;
  if (!arg_i64(env, v, &id)) return NULL;
  if (id < 1 || id >= MAX_MAPPINGS || !mappings[id].addr) {
    napi_throw_range_error(env, NULL, "no such mapping");
    return NULL;
  }
  return &mappings[id];
}

static napi_value js_munmap(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  struct mapping *m = mapping_arg(env, argv[0]);
  if (!m) return NULL;
  mapping_drop(m);
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
  size_t size = sizeof(struct ioctl_gntdev_map_grant_ref) + (count ? count - 1 : 0) * sizeof(struct ioctl_gntdev_grant_ref);
  struct ioctl_gntdev_map_grant_ref *m = calloc(1, size);
  if (!m) return 0;
  m->count = count;
  for (uint32_t i = 0; i < count; i++) {
    m->refs[i].domid = (uint32_t)op[1];
    m->refs[i].ref = (uint32_t)op[4 + i];
  }
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

/* The mapping of grant index `index` on fd: the caller's hint first (the id its books hold), else a scan. */
static struct mapping *mapping_at(int fd, int64_t index, int64_t hint) {
  if (hint >= 1 && hint < MAX_MAPPINGS) {
    struct mapping *m = &mappings[hint];
    if (m->addr && m->fd == fd && m->offset == index) return m;
  }
  for (int id = 1; id <= mappings_top; id++) {
    struct mapping *m = &mappings[id];
    if (m->addr && m->fd == fd && m->offset == index) return m;
  }
  return NULL;
}

static int run_unmap(int fd, int64_t index, int64_t hint, double *out) {
  struct mapping *m = mapping_at(fd, index, hint);
  if (!m) return 0;
  struct ioctl_gntdev_unmap_grant_ref op = { .index = (uint64_t)index, .count = (uint32_t)(m->len / PAGE) };
  if (ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &op) < 0) return 0;
  out[0] = (double)(m - mappings);
  out[1] = op.count;
  mapping_drop(m);
  return 1;
}

static napi_value js_gntdev_run(napi_env env, napi_callback_info info) {
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

/* mapRead(id, offset, length) -> Buffer (a copy) */
static napi_value js_map_read(napi_env env, napi_callback_info info) {
  napi_value argv[3], buf;
  int64_t offset, length;
  if (!get_args(env, info, 3, argv)) return NULL;
  struct mapping *m = mapping_arg(env, argv[0]);
  if (!m || !arg_i64(env, argv[1], &offset) || !arg_i64(env, argv[2], &length)) return NULL;
  if (offset < 0 || length < 0 || (size_t)(offset + length) > m->len) {
    napi_throw_range_error(env, NULL, "read outside the mapping");
    return NULL;
  }
  void *data;
  CHECK(napi_create_buffer_copy(env, (size_t)length, (char *)m->addr + offset, &data, &buf));
  return buf;
}

/* mapWrite(id, offset, buffer) */
static napi_value js_map_write(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t offset;
  void *data;
  size_t length;
  if (!get_args(env, info, 3, argv)) return NULL;
  struct mapping *m = mapping_arg(env, argv[0]);
  if (!m || !arg_i64(env, argv[1], &offset)) return NULL;
  if (napi_get_buffer_info(env, argv[2], &data, &length) != napi_ok) { napi_throw_type_error(env, NULL, "expected a Buffer"); return NULL; }
  if (!m->writable) return throw_errno(env, EACCES, "write through a read-only mapping");
  if (offset < 0 || (size_t)offset + length > m->len) {
    napi_throw_range_error(env, NULL, "write outside the mapping");
    return NULL;
  }
  memcpy((char *)m->addr + offset, data, length);
  return undefined(env);
}

/* ---------------------------------------------------------------- evtchn */

static napi_value evtchn_ioctl(napi_env env, napi_callback_info info, unsigned long req, const char *name, int nargs) {
  napi_value argv[3];
  int64_t fd, a = 0, b = 0;
  if (!get_args(env, info, (size_t)nargs + 1, argv) || !arg_i64(env, argv[0], &fd)) return NULL;
  if (nargs > 0 && !arg_i64(env, argv[1], &a)) return NULL;
  if (nargs > 1 && !arg_i64(env, argv[2], &b)) return NULL;
  int rc;
  switch (req) {
  case IOCTL_EVTCHN_BIND_VIRQ: { struct ioctl_evtchn_bind_virq op = { .virq = (uint32_t)a }; rc = ioctl((int)fd, req, &op); break; }
  case IOCTL_EVTCHN_BIND_INTERDOMAIN: {
    struct ioctl_evtchn_bind_interdomain op = { .remote_domain = (uint32_t)a, .remote_port = (uint32_t)b };
    rc = ioctl((int)fd, req, &op);
    break;
  }
  case IOCTL_EVTCHN_BIND_UNBOUND_PORT: {
    struct ioctl_evtchn_bind_unbound_port op = { .remote_domain = (uint32_t)a };
    rc = ioctl((int)fd, req, &op);
    break;
  }
  case IOCTL_EVTCHN_UNBIND: { struct ioctl_evtchn_unbind op = { .port = (uint32_t)a }; rc = ioctl((int)fd, req, &op); break; }
  case IOCTL_EVTCHN_NOTIFY: { struct ioctl_evtchn_notify op = { .port = (uint32_t)a }; rc = ioctl((int)fd, req, &op); break; }
  default: rc = -1; errno = ENOSYS;
  }
  if (rc < 0) return throw_errno(env, errno, name);
  return num(env, rc);
}

static napi_value js_evtchn_bind_virq(napi_env env, napi_callback_info info) {
  return evtchn_ioctl(env, info, IOCTL_EVTCHN_BIND_VIRQ, "IOCTL_EVTCHN_BIND_VIRQ", 1);
}
static napi_value js_evtchn_bind_interdomain(napi_env env, napi_callback_info info) {
  return evtchn_ioctl(env, info, IOCTL_EVTCHN_BIND_INTERDOMAIN, "IOCTL_EVTCHN_BIND_INTERDOMAIN", 2);
}
static napi_value js_evtchn_bind_unbound(napi_env env, napi_callback_info info) {
  return evtchn_ioctl(env, info, IOCTL_EVTCHN_BIND_UNBOUND_PORT, "IOCTL_EVTCHN_BIND_UNBOUND_PORT", 1);
}
static napi_value js_evtchn_unbind(napi_env env, napi_callback_info info) {
  return evtchn_ioctl(env, info, IOCTL_EVTCHN_UNBIND, "IOCTL_EVTCHN_UNBIND", 1);
}
static napi_value js_evtchn_notify(napi_env env, napi_callback_info info) {
  return evtchn_ioctl(env, info, IOCTL_EVTCHN_NOTIFY, "IOCTL_EVTCHN_NOTIFY", 1);
}

/* evtchnRead(fd) -> ports delivered so far ([] when none; the fd is non-blocking) */
static napi_value js_evtchn_read(napi_env env, napi_callback_info info) {
  napi_value argv[1], arr;
  int64_t fd;
  if (!get_args(env, info, 1, argv) || !arg_i64(env, argv[0], &fd)) return NULL;
  uint32_t ports[1024];
  ssize_t n = read((int)fd, ports, sizeof ports);
  if (n < 0 && errno != EAGAIN) return throw_errno(env, errno, "read /dev/xen/evtchn");
  size_t count = n < 0 ? 0 : (size_t)n / sizeof(uint32_t);
  napi_create_array_with_length(env, count, &arr);
  for (size_t i = 0; i < count; i++) napi_set_element(env, arr, (uint32_t)i, num(env, ports[i]));
  return arr;
}

/* evtchnUnmask(fd, ports[]): writing ports back re-enables them */
static napi_value js_evtchn_unmask(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t fd;
  uint32_t count;
  if (!get_args(env, info, 2, argv) || !arg_i64(env, argv[0], &fd)) return NULL;
  if (napi_get_array_length(env, argv[1], &count) != napi_ok || count > 1024) { napi_throw_type_error(env, NULL, "expected ports"); return NULL; }
  uint32_t ports[1024];
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    int64_t p;
    napi_get_element(env, argv[1], i, &v);
    if (!arg_i64(env, v, &p)) return NULL;
    ports[i] = (uint32_t)p;
  }
  if (count && write((int)fd, ports, count * sizeof(uint32_t)) < 0) return throw_errno(env, errno, "write /dev/xen/evtchn");
  return undefined(env);
}

/* pollReadable(fd, timeoutMs) -> Promise<boolean>, polled on a worker thread */
struct poll_work { int fd; int timeout; int result; int err; napi_deferred deferred; napi_async_work work; };

static void poll_execute(napi_env env, void *data) {
  struct poll_work *w = data;
  struct pollfd p = { .fd = w->fd, .events = POLLIN };
  int rc;
  do rc = poll(&p, 1, w->timeout); while (rc < 0 && errno == EINTR);
  w->result = rc;
  w->err = rc < 0 ? errno : 0;
}

static void poll_complete(napi_env env, napi_status status, void *data) {
  struct poll_work *w = data;
  napi_value v;
  napi_get_boolean(env, w->result > 0, &v);
  napi_resolve_deferred(env, w->deferred, v);
  napi_delete_async_work(env, w->work);
  free(w);
}

static napi_value js_poll_readable(napi_env env, napi_callback_info info) {
  napi_value argv[2], promise, name;
  int64_t fd, timeout;
  if (!get_args(env, info, 2, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &timeout)) return NULL;
  struct poll_work *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, ENOMEM, "poll");
  w->fd = (int)fd;
  w->timeout = timeout > 60000 ? 60000 : (int)timeout;
  CHECK(napi_create_promise(env, &w->deferred, &promise));
  napi_create_string_utf8(env, "xgt-poll", NAPI_AUTO_LENGTH, &name);
  CHECK(napi_create_async_work(env, NULL, name, poll_execute, poll_complete, w, &w->work));
  CHECK(napi_queue_async_work(env, w->work));
  return promise;
}

/* ---------------------------------------------------------------- privcmd */

/* hypercall(fd, op, a0, buffer|null, a2) -> rc; the buffer is arg1, copied through locked pages */
static napi_value js_hypercall(napi_env env, napi_callback_info info) {
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
static napi_value js_dm_op(napi_env env, napi_callback_info info) {
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

/* ---------------------------------------------------------------- layout facts */

#define SET(obj, name, value) napi_set_named_property(env, obj, name, num(env, (double)(value)))

static napi_value js_layout(napi_env env, napi_callback_info info) {
  napi_value o;
  napi_create_object(env, &o);
  SET(o, "IOCTL_GNTDEV_MAP_GRANT_REF", IOCTL_GNTDEV_MAP_GRANT_REF);
  SET(o, "IOCTL_GNTDEV_UNMAP_GRANT_REF", IOCTL_GNTDEV_UNMAP_GRANT_REF);
  SET(o, "IOCTL_GNTDEV_GRANT_COPY", IOCTL_GNTDEV_GRANT_COPY);
  SET(o, "IOCTL_GNTALLOC_ALLOC_GREF", IOCTL_GNTALLOC_ALLOC_GREF);
  SET(o, "IOCTL_GNTALLOC_DEALLOC_GREF", IOCTL_GNTALLOC_DEALLOC_GREF);
  SET(o, "IOCTL_EVTCHN_BIND_VIRQ", IOCTL_EVTCHN_BIND_VIRQ);
  SET(o, "IOCTL_EVTCHN_BIND_INTERDOMAIN", IOCTL_EVTCHN_BIND_INTERDOMAIN);
  SET(o, "IOCTL_EVTCHN_BIND_UNBOUND_PORT", IOCTL_EVTCHN_BIND_UNBOUND_PORT);
  SET(o, "IOCTL_EVTCHN_UNBIND", IOCTL_EVTCHN_UNBIND);
  SET(o, "IOCTL_EVTCHN_NOTIFY", IOCTL_EVTCHN_NOTIFY);
  SET(o, "IOCTL_PRIVCMD_HYPERCALL", IOCTL_PRIVCMD_HYPERCALL);
  SET(o, "IOCTL_PRIVCMD_DM_OP", IOCTL_PRIVCMD_DM_OP);
  SET(o, "sizeof_ioctl_gntdev_map_grant_ref", sizeof(struct ioctl_gntdev_map_grant_ref));
  SET(o, "offsetof_map_index", offsetof(struct ioctl_gntdev_map_grant_ref, index));
  SET(o, "offsetof_map_refs", offsetof(struct ioctl_gntdev_map_grant_ref, refs));
  SET(o, "sizeof_ioctl_gntdev_unmap_grant_ref", sizeof(struct ioctl_gntdev_unmap_grant_ref));
  SET(o, "sizeof_gntdev_grant_copy_segment", sizeof(struct gntdev_grant_copy_segment));
  SET(o, "offsetof_copy_segment_status", offsetof(struct gntdev_grant_copy_segment, status));
  SET(o, "sizeof_ioctl_gntalloc_alloc_gref", sizeof(struct ioctl_gntalloc_alloc_gref));
  SET(o, "offsetof_alloc_index", offsetof(struct ioctl_gntalloc_alloc_gref, index));
  SET(o, "offsetof_alloc_gref_ids", offsetof(struct ioctl_gntalloc_alloc_gref, gref_ids));
  SET(o, "sizeof_privcmd_dm_op", sizeof(struct privcmd_dm_op));
  SET(o, "sizeof_xen_dm_op", sizeof(struct xen_dm_op));
  SET(o, "offsetof_xen_dm_op_u", offsetof(struct xen_dm_op, u));
  SET(o, "sizeof_map_mem_type_to_ioreq_server", sizeof(struct xen_dm_op_map_mem_type_to_ioreq_server));
  SET(o, "sizeof_create_ioreq_server", sizeof(struct xen_dm_op_create_ioreq_server));
  SET(o, "offsetof_create_ioreq_server_id", offsetof(struct xen_dm_op_create_ioreq_server, id));
  SET(o, "sizeof_set_mem_type", sizeof(struct xen_dm_op_set_mem_type));
  SET(o, "offsetof_set_mem_type_first_pfn", offsetof(struct xen_dm_op_set_mem_type, first_pfn));
  SET(o, "sizeof_evtchn_status", sizeof(struct evtchn_status));
  SET(o, "offsetof_evtchn_status_status", offsetof(struct evtchn_status, status));
  SET(o, "offsetof_evtchn_status_u", offsetof(struct evtchn_status, u));
  SET(o, "offsetof_evtchn_status_interdomain_port", offsetof(struct evtchn_status, u.interdomain.port));
  SET(o, "sizeof_gnttab_query_size", sizeof(struct gnttab_query_size));
  SET(o, "offsetof_query_size_status", offsetof(struct gnttab_query_size, status));
  SET(o, "XEN_DMOP_map_mem_type_to_ioreq_server", XEN_DMOP_map_mem_type_to_ioreq_server);
  SET(o, "HVMMEM_ioreq_server", HVMMEM_ioreq_server);
  SET(o, "__HYPERVISOR_grant_table_op", __HYPERVISOR_grant_table_op);
  SET(o, "__HYPERVISOR_event_channel_op", __HYPERVISOR_event_channel_op);
  SET(o, "__HYPERVISOR_xen_version", __HYPERVISOR_xen_version);
  SET(o, "GNTTABOP_query_size", GNTTABOP_query_size);
  SET(o, "EVTCHNOP_status", EVTCHNOP_status);
  SET(o, "__HYPERVISOR_hvm_op", __HYPERVISOR_hvm_op);
  SET(o, "HVMOP_get_mem_type", HVMOP_get_mem_type);
  SET(o, "sizeof_xen_hvm_get_mem_type", sizeof(struct xen_hvm_get_mem_type));
  SET(o, "offsetof_get_mem_type_pfn", offsetof(struct xen_hvm_get_mem_type, pfn));
  SET(o, "offsetof_evtchn_status_unbound_dom", offsetof(struct evtchn_status, u.unbound.dom));
  SET(o, "offsetof_evtchn_status_virq", offsetof(struct evtchn_status, u.virq));
  return o;
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
    { "gntdevCopyStatus", NULL, js_gntdev_copy_status, NULL, NULL, NULL, napi_default, NULL },
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
    { "layout", NULL, js_layout, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
