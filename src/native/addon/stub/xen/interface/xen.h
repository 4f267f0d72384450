/* linux-libc-dev's <xen/privcmd.h> includes this kernel-internal path; Xen's public header has what it needs. */
#include <xen/xen.h>
