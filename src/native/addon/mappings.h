/* The table of mappings (mappings.c), as gntdevRun (gnttab.c) makes and drops them. */
#ifndef XGT_MAPPINGS_H
#define XGT_MAPPINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* fd and offset: a gntdev mapping is found again by its grant index (gntdevRun's unmap) */
struct mapping { void *addr; size_t len; bool writable; int fd; int64_t offset; };

/* mmaps fd at offset into a new table entry: its id; 0 when the table is full; or -errno */
int mapping_add(int fd, size_t length, bool writable, int64_t offset);
/* munmaps it and frees its entry */
void mapping_drop(struct mapping *m);
int mapping_id(const struct mapping *m);
/* the mapping of grant index `index` on fd: the caller's hint first (the id its books hold), else a scan */
struct mapping *mapping_at(int fd, int64_t index, int64_t hint);

#endif
