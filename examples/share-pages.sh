#!/usr/bin/env bash
# Two domains share two pages through the grant table, each step in its own process, as a
# frontend/backend pair would. Runs on the emulator by default (XGT_BACKEND=emu).
set -euo pipefail
cd "$(dirname "$0")/.."
xgt() { node bin/run.js "$@"; }
export XGT_BACKEND=${XGT_BACKEND:-emu}
if [ -z "${XGT_STATE:-}" ]; then
  # a scratch host of its own, gone when the example ends however it ends
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  export XGT_STATE=$scratch/example.db
fi

xgt emu init --force >/dev/null
guest=$(xgt domain create --name guest --json | sed -E 's/.*"domid":([0-9]+).*/\1/')
echo "created domain $guest"
grant=$(xgt gnttab grant --to "$guest" --pages 2 --json)
echo "dom0 granted: $grant"
refs=$(echo "$grant" | sed -E 's/.*"refs":\[([0-9,]+)\].*/\1/' | tr , ' ')
map=$(xgt --as "$guest" gnttab map --domid 0 $refs --json)
echo "domain $guest mapped: $map"
index=$(echo "$map" | sed -E 's/.*"index":([0-9]+).*/\1/')
xgt --as "$guest" gnttab write --index "$index" --offset 4096 --data "hello from domain $guest" >/dev/null
second=$(echo "$refs" | cut -d' ' -f2)
echo "dom0 reads ref $second: $(xgt gnttab read --ref "$second" --length 19 --format raw)"
xgt gnttab list
xgt --as "$guest" gnttab unmap "$index" >/dev/null
xgt gnttab ungrant "$(echo "$grant" | sed -E 's/.*"index":([0-9]+).*/\1/')" >/dev/null
echo "torn down; dom0 now holds $(xgt gnttab list --json | sed -E 's/.*"gntalloc_used":([0-9]+).*/\1/') grants"
