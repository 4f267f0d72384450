#!/usr/bin/env bash
# A buffer shared with ourselves through a page directory, in both modes.
source "$(dirname "$0")/lib.sh"
show shbuf alloc --to 0 --pages 1500
xgt gnttab limit --gntalloc 4096 --json
fe=$(xgt shbuf alloc --to 0 --pages 1500 --json)
echo "$fe"
dir=$(echo "$fe" | field dir_ref)
first=$(echo "$fe" | sed -E 's/.*"refs":\[([0-9]+),.*/\1/')
xgt gnttab write --ref "$first" --offset $((1499 * 4096)) --data "last page" --json
m=$(xgt shbuf map --domid 0 --dir-ref "$dir" --pages 1500 --json | field index)
echo "mapped at $m: $(xgt gnttab read --index "$m" --offset $((1499 * 4096)) --length 9 --format raw)"
show shbuf map --domid 0 --dir-ref "$dir" --pages 1600
show shbuf free --mapping "$m" --grant "$(echo "$fe" | field index)"
be=$(xgt shbuf alloc --to 0 --pages 10 --be-alloc --json); echo "$be"
dir=$(echo "$be" | field dir_ref)
fill=$(xgt shbuf fill --domid 0 --dir-ref "$dir" --pages 10 --json); echo "$fill"
m=$(xgt shbuf map --domid 0 --dir-ref "$dir" --pages 10 --be-alloc --json); echo "$m"
xgt gnttab limit --gntalloc 1024 --json
