/*
 * Looking at what Xen holds for any domain (XEN-RULES: seeing other domains): its info, its grant
 * table read straight from Xen's frames, and copies through a grant without mapping it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/memory.h>
#include <xen/grant_table.h>
#include <xen/gntdev.h>
#include <xen/privcmd.h>

#include "addon.h"
#include "helpers.h"

static napi_value set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n = num(env, v);
  if (n) napi_set_named_property(env, obj, key, n);
  return n;
}

/*
 * domainInfo(fd, domid) -> the first domain at or after domid: { domid, flags, tot_pages,
 * max_pages, max_vcpu_id, online_vcpus, emulation_flags }. Xen answers ESRCH past the last one.
 */
napi_value js_domain_info(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t fd, domid;
  if (!get_args(env, info, 2, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &domid)) return NULL;
  /* the hypervisor reads and writes the buffer through this domain's page tables: keep it resident */
  struct xen_domctl *d = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
  if (d == MAP_FAILED) return throw_errno(env, errno, "mmap (domctl buffer)");
  memset(d, 0, sizeof *d);
  d->cmd = XEN_DOMCTL_getdomaininfo;
  d->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
  d->domain = (domid_t)domid;
  struct privcmd_hypercall h = { .op = __HYPERVISOR_domctl, .arg = { (uint64_t)(uintptr_t)d } };
  long rc = ioctl((int)fd, IOCTL_PRIVCMD_HYPERCALL, &h);
  int e = errno;
  struct xen_domctl_getdomaininfo i = d->u.getdomaininfo;
  munmap(d, PAGE);
  if (rc < 0) return throw_errno(env, e, "XEN_DOMCTL_getdomaininfo");
  napi_value obj;
  CHECK(napi_create_object(env, &obj));
  if (!set_num(env, obj, "domid", i.domain) || !set_num(env, obj, "flags", i.flags) ||
      !set_num(env, obj, "tot_pages", (double)i.tot_pages) || !set_num(env, obj, "max_pages", (double)i.max_pages) ||
      !set_num(env, obj, "max_vcpu_id", i.max_vcpu_id) || !set_num(env, obj, "online_vcpus", i.nr_online_vcpus) ||
      !set_num(env, obj, "emulation_flags", i.arch_config.emulation_flags)) return NULL;
  return obj;
}

/*
 * grantFrames(fd, domid, frames) -> a copy of the first `frames` frames of domid's shared grant
 * table (XENMEM_acquire_resource through privcmd), taken at one moment.
 */
napi_value js_grant_frames(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd, domid, frames;
  if (!get_args(env, info, 3, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &domid) ||
      !arg_i64(env, argv[2], &frames)) return NULL;
  if (frames < 1 || frames > 1 << 16) return throw_errno(env, EINVAL, "IOCTL_PRIVCMD_MMAP_RESOURCE");
  size_t size = (size_t)frames * PAGE;
  void *at = mmap(NULL, size, PROT_READ, MAP_SHARED, (int)fd, 0);
  if (at == MAP_FAILED) return throw_errno(env, errno, "mmap (privcmd)");
  struct privcmd_mmap_resource r = {
    .dom = (domid_t)domid, .type = XENMEM_resource_grant_table, .id = XENMEM_resource_grant_table_id_shared,
    .idx = 0, .num = (uint64_t)frames, .addr = (uint64_t)(uintptr_t)at,
  };
  if (ioctl((int)fd, IOCTL_PRIVCMD_MMAP_RESOURCE, &r) < 0) {
    int e = errno;
    munmap(at, size);
    return throw_errno(env, e, "IOCTL_PRIVCMD_MMAP_RESOURCE");
  }
  void *copy;
  napi_value buf;
  if (napi_create_buffer(env, size, &copy, &buf) != napi_ok) { munmap(at, size); napi_throw_error(env, NULL, "napi call failed"); return NULL; }
  memcpy(copy, at, size);
  munmap(at, size);
  return buf;
}

/*
 * gntdevCopy(fd, domid, ref, offset, buffer, toGrant) -> the segment's GNTST status. One
 * GRANT_COPY segment between (domid, ref) at offset and the buffer: into the buffer, or out of
 * it into the grant when toGrant. gntdev itself refuses a segment crossing the page (EINVAL).
 */
napi_value js_gntdev_copy(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int64_t fd, domid, ref, offset;
  bool to_grant;
  void *data;
  size_t length;
  if (!get_args(env, info, 6, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &domid) ||
      !arg_i64(env, argv[2], &ref) || !arg_i64(env, argv[3], &offset) || !arg_bool(env, argv[5], &to_grant)) return NULL;
  if (napi_get_buffer_info(env, argv[4], &data, &length) != napi_ok) { napi_throw_type_error(env, NULL, "expected a Buffer"); return NULL; }
  struct gntdev_grant_copy_segment seg;
  memset(&seg, 0, sizeof seg);
  seg.len = (uint16_t)length;
  if (to_grant) {
    seg.source.virt = data;
    seg.dest.foreign.ref = (uint32_t)ref;
    seg.dest.foreign.offset = (uint16_t)offset;
    seg.dest.foreign.domid = (uint16_t)domid;
    seg.flags = GNTCOPY_dest_gref;
  } else {
    seg.source.foreign.ref = (uint32_t)ref;
    seg.source.foreign.offset = (uint16_t)offset;
    seg.source.foreign.domid = (uint16_t)domid;
    seg.dest.virt = data;
    seg.flags = GNTCOPY_source_gref;
  }
  struct ioctl_gntdev_grant_copy op = { .count = 1, .segments = &seg };
  if (ioctl((int)fd, IOCTL_GNTDEV_GRANT_COPY, &op) < 0) return throw_errno(env, errno, "IOCTL_GNTDEV_GRANT_COPY");
  return num(env, seg.status);
}

/*
 * gntdevCopyProbe(fd, domid, ref, asDest) -> the status Xen gives a one-byte copy of (domid, ref)
 * as the source, or as the destination of the byte it already holds (so nothing changes): what
 * the grant side of a copy meets before its length is looked at.
 */
napi_value js_gntdev_copy_probe(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int64_t fd, domid, ref;
  bool as_dest;
  if (!get_args(env, info, 4, argv) || !arg_i64(env, argv[0], &fd) || !arg_i64(env, argv[1], &domid) ||
      !arg_i64(env, argv[2], &ref) || !arg_bool(env, argv[3], &as_dest)) return NULL;
  char byte;
  struct gntdev_grant_copy_segment seg;
  memset(&seg, 0, sizeof seg);
  seg.len = 1;
  seg.source.foreign.ref = (uint32_t)ref;
  seg.source.foreign.domid = (uint16_t)domid;
  if (as_dest) {
    seg.dest.foreign.ref = (uint32_t)ref;
    seg.dest.foreign.domid = (uint16_t)domid;
    seg.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
  } else {
    seg.dest.virt = &byte;
    seg.flags = GNTCOPY_source_gref;
  }
  struct ioctl_gntdev_grant_copy op = { .count = 1, .segments = &seg };
  if (ioctl((int)fd, IOCTL_GNTDEV_GRANT_COPY, &op) < 0) return throw_errno(env, errno, "IOCTL_GNTDEV_GRANT_COPY");
  return num(env, seg.status);
}
