{
  "targets": [{
    "target_name": "xgt_native",
    "sources": ["xgt_native.c", "helpers.c", "gnttab.c", "mappings.c", "evtchn.c", "privcmd.c", "inspect.c", "layout.c"],
    "include_dirs": ["stub"],
    "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
    "defines": ["__XEN_TOOLS__=1", "_GNU_SOURCE", "NAPI_VERSION=8"]
  }]
}
