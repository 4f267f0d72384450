#!/usr/bin/env bash
# Buffers shared with ourselves through a page directory, in both modes.
source "$(dirname "$0")/lib.sh"
xgt batch --json --keep-going <<'LINES' || true
shbuf alloc --to 0 --pages 1500
gnttab limit --gntalloc 4096
shbuf alloc --to 0 --pages 1500
gnttab write --ref 10 --offset 6139904 --data "last page"
shbuf map --domid 0 --dir-ref 8 --pages 1500
gnttab read --index 0 --offset 6139904 --length 9
shbuf map --domid 0 --dir-ref 8 --pages 1600
shbuf free --mapping 0 --grant 0
shbuf alloc --to 0 --pages 10 --be-alloc
shbuf fill --domid 0 --dir-ref 1509 --pages 10
shbuf map --domid 0 --dir-ref 1509 --pages 10 --be-alloc
gnttab limit --gntalloc 1024
LINES
