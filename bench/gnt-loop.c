/*
 * The C side of the native benchmark: grant K pages to ourselves, then N rounds through gntdev,
 * each on a different ref (round i takes ref i mod K): MAP_GRANT_REF + mmap, a few bytes written
 * at an offset that varies too, munmap + UNMAP_GRANT_REF — what the benchmark's `xgt batch` lines
 * "gnttab map", "gnttab write", "gnttab unmap" do. Prints the rate in rounds per second.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/gntalloc.h>
#include <xen/gntdev.h>

#define K 64

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  int ga = open("/dev/xen/gntalloc", O_RDWR), gd = open("/dev/xen/gntdev", O_RDWR);
  if (ga < 0 || gd < 0) { perror("open"); return 1; }
  struct ioctl_gntalloc_alloc_gref *alloc = calloc(1, sizeof(*alloc) + K * sizeof(uint32_t));
  alloc->domid = 0;
  alloc->flags = GNTALLOC_FLAG_WRITABLE;
  alloc->count = K;
  if (ioctl(ga, IOCTL_GNTALLOC_ALLOC_GREF, alloc)) { perror("alloc"); return 1; }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < n; i++) {
    struct ioctl_gntdev_map_grant_ref map = { .count = 1, .refs = { { .domid = 0, .ref = alloc->gref_ids[i % K] } } };
    if (ioctl(gd, IOCTL_GNTDEV_MAP_GRANT_REF, &map)) { perror("map"); return 1; }
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, gd, map.index);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    char data[16];
    int len = snprintf(data, sizeof data, "round%d", i % 100);
    memcpy(p + (i * 13) % 4000, data, len);
    munmap(p, 4096);
    struct ioctl_gntdev_unmap_grant_ref unmap = { .index = map.index, .count = 1 };
    if (ioctl(gd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap)) { perror("unmap"); return 1; }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.0f\n", n / s);
  return 0;
}
