/* N-API helpers shared by the addon's files: arguments in, numbers and errors out. */
#ifndef XGT_HELPERS_H
#define XGT_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <node_api.h>

#define CHECK(call)                                                               \
  do {                                                                            \
    if ((call) != napi_ok) { napi_throw_error(env, NULL, "napi call failed"); return NULL; } \
  } while (0)

/* throws an Error carrying `errno`, its message "what: strerror(err)"; returns NULL */
napi_value throw_errno(napi_env env, int err, const char *what);
/* the first `want` arguments, or a TypeError (0) */
int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv);
int arg_i64(napi_env env, napi_value v, int64_t *out);
int arg_bool(napi_env env, napi_value v, bool *out);
napi_value num(napi_env env, double d);
napi_value undefined(napi_env env);

#endif
