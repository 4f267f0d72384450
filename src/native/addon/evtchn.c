/* /dev/xen/evtchn: binding, notifying, reading delivered ports, and waiting for them. */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/evtchn.h>

#include "addon.h"
#include "helpers.h"

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

napi_value js_evtchn_bind_virq(napi_env env, napi_callback_info info) {
  return evtchn_ioctl(env, info, IOCTL_EVTCHN_BIND_VIRQ, "IOCTL_EVTCHN_BIND_VIRQ", 1);
}
napi_value js_evtchn_bind_interdomain(napi_env env, napi_callback_info info) {
  return evtchn_ioctl(env, info, IOCTL_EVTCHN_BIND_INTERDOMAIN, "IOCTL_EVTCHN_BIND_INTERDOMAIN", 2);
}
napi_value js_evtchn_bind_unbound(napi_env env, napi_callback_info info) {
  return evtchn_ioctl(env, info, IOCTL_EVTCHN_BIND_UNBOUND_PORT, "IOCTL_EVTCHN_BIND_UNBOUND_PORT", 1);
}
napi_value js_evtchn_unbind(napi_env env, napi_callback_info info) {
  return evtchn_ioctl(env, info, IOCTL_EVTCHN_UNBIND, "IOCTL_EVTCHN_UNBIND", 1);
}
napi_value js_evtchn_notify(napi_env env, napi_callback_info info) {
  return evtchn_ioctl(env, info, IOCTL_EVTCHN_NOTIFY, "IOCTL_EVTCHN_NOTIFY", 1);
}

/* evtchnRead(fd) -> ports delivered so far ([] when none; the fd is non-blocking) */
napi_value js_evtchn_read(napi_env env, napi_callback_info info) {
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
napi_value js_evtchn_unmask(napi_env env, napi_callback_info info) {
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

napi_value js_poll_readable(napi_env env, napi_callback_info info) {
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
