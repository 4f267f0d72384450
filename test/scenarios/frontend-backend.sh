#!/usr/bin/env bash
# A frontend (domain F, acting through --as) and a backend (dom0) in two processes on one state
# file, as a split driver pair: they exchange an event channel and a multi-page buffer shared
# through a page directory, signal each other, and tear everything down. A file plays xenstore.
# Usage: frontend-backend.sh [PAGES]   (XGT_STATE must name the state file; xgt is bin/run.js)
set -euo pipefail
PAGES=${1:-2048}
XGT="node $(dirname "$0")/../../bin/run.js"
: "${XGT_STATE:?set XGT_STATE}"
export XGT_STATE XGT_BACKEND=emu
store=$(mktemp -d)
trap 'rm -rf "$store"' EXIT
field() { sed -E "s/.*\"$1\":([0-9]+).*/\1/"; }
publish() { echo "$2" > "$store/$1.tmp" && mv "$store/$1.tmp" "$store/$1"; }
await() { for _ in $(seq 200); do [ -f "$store/$1" ] && { cat "$store/$1"; return; }; sleep 0.05; done; echo "timeout waiting for $1" >&2; exit 1; }

$XGT emu init --force >/dev/null
F=$($XGT domain create --name frontend --json | field domid)

frontend() {
  local fe="$XGT --as $F"
  $fe gnttab limit --gntalloc 8192 >/dev/null
  local buf port
  buf=$($fe shbuf alloc --to 0 --pages "$PAGES" --json)
  port=$($fe evtchn bind --unbound --remote 0 --json | field port)
  publish ring "$(echo "$buf" | field dir_ref) $port"
  local data_ref
  data_ref=$(echo "$buf" | sed -E 's/.*"refs":\[([0-9]+).*/\1/')
  # wait until the backend is connected (our port turns interdomain), then send a request
  await connected >/dev/null
  $fe gnttab write --ref "$data_ref" --offset $(( (PAGES - 1) * 4096 )) --data "request from frontend" >/dev/null
  $fe evtchn notify "$port" >/dev/null
  $fe evtchn wait "$port" --timeout 10000 >/dev/null
  [ "$($fe gnttab read --ref "$data_ref" --length 8 --format raw)" = "response" ] || { echo "frontend: bad response" >&2; exit 1; }
  publish fe-done 1
  await be-done >/dev/null
  $fe evtchn unbind "$port" >/dev/null
  $fe shbuf free --grant "$(echo "$buf" | field index)" >/dev/null
}

backend() {
  read -r dir_ref fport < <(await ring)
  local port map
  port=$($XGT evtchn bind --interdomain --remote "$F" --remote-port "$fport" --json | field port)
  $XGT evtchn wait "$port" --timeout 0 >/dev/null            # the bind leaves it pending
  map=$($XGT shbuf map --domid "$F" --dir-ref "$dir_ref" --pages "$PAGES" --json | field index)
  publish connected 1
  $XGT evtchn wait "$port" --timeout 10000 >/dev/null
  local got
  got=$($XGT gnttab read --index "$map" --offset $(( (PAGES - 1) * 4096 )) --length 21 --format raw)
  [ "$got" = "request from frontend" ] || { echo "backend: got '$got'" >&2; exit 1; }
  $XGT gnttab write --index "$map" --data response >/dev/null
  $XGT evtchn notify "$port" >/dev/null
  await fe-done >/dev/null
  $XGT shbuf free --mapping "$map" >/dev/null
  $XGT evtchn unbind "$port" >/dev/null
  publish be-done 1
}

frontend & fe=$!
backend & be=$!
wait $be
wait $fe

# nothing left behind: no grant, no mapping, no port bound through xgt, on either side
for d in 0 "$F"; do
  $XGT gnttab list --domid "$d" --json | grep -q '"granted":\[\],"mapped":\[\]' || { echo "domain $d still holds grants" >&2; exit 1; }
  ! $XGT evtchn list --domid "$d" --json | grep -q '"bound_here":true' || { echo "domain $d still holds ports" >&2; exit 1; }
done
echo "frontend/backend scenario passed ($PAGES pages)"
