#!/usr/bin/env bash
# Buffers shared with ourselves through a page directory, in both modes.
source "$(dirname "$0")/lib.sh"
show shbuf alloc --to 0 --pages 1500
xgt gnttab limit --gntalloc 4096 --json
fe=$(xgt shbuf alloc --to 0 --pages 1500 --json); echo "$fe"
DIR=$(echo "$fe" | field dir_ref)
DATA=$(echo "$fe" | sed -E 's/.*"refs":\[([0-9]+),.*/\1/')
export DIR DATA
xgt batch --json --keep-going <<'LINES' || true
gnttab write --ref $DATA --offset 6139904 --data "last page"
shbuf map --domid 0 --dir-ref $DIR --pages 1500
gnttab read --index 0 --offset 6139904 --length 9
shbuf map --domid 0 --dir-ref $DIR --pages 1600
shbuf free --mapping 0 --grant 0
LINES
be=$(xgt shbuf alloc --to 0 --pages 10 --be-alloc --json); echo "$be"
DIR=$(echo "$be" | field dir_ref)
export DIR
xgt batch --json --keep-going <<'LINES' || true
shbuf fill --domid 0 --dir-ref $DIR --pages 10
shbuf map --domid 0 --dir-ref $DIR --pages 10 --be-alloc
gnttab limit --gntalloc 1024
LINES
