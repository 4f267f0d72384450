/*
 * The table of mappings (of gntdev, or of any device file). Memory safety: JavaScript never sees
 * a pointer. Mappings live in this table and are reached by id; reads and writes copy, with
 * bounds checked, so nothing refers to a mapping after munmap.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "addon.h"
#include "helpers.h"
#include "mappings.h"

#define MAX_MAPPINGS 65536

static struct mapping mappings[MAX_MAPPINGS];
/* ids are handed out lowest first, so no live one is above this */
static int mappings_top;

int mapping_add(int fd, size_t length, bool writable, int64_t offset) {
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

void mapping_drop(struct mapping *m) {
  munmap(m->addr, m->len);
  m->addr = NULL;
  while (mappings_top > 0 && !mappings[mappings_top].addr) mappings_top--;
}

/* mmap(fd, length, writable, offset) -> id */
napi_value js_mmap(napi_env env, napi_callback_info info) {
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

napi_value js_munmap(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  struct mapping *m = mapping_arg(env, argv[0]);
  if (!m) return NULL;
  mapping_drop(m);
  return undefined(env);
}

int mapping_id(const struct mapping *m) {
  return (int)(m - mappings);
}

struct mapping *mapping_at(int fd, int64_t index, int64_t hint) {
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

/* mapRead(id, offset, length) -> Buffer (a copy) */
napi_value js_map_read(napi_env env, napi_callback_info info) {
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
napi_value js_map_write(napi_env env, napi_callback_info info) {
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
