#!/usr/bin/env bash
# Inside the real dom0, through the CLI as an operator types it: HVM and PVH guests whose pages
# `domu` grants to dom0 are listed by `domain list` (no toolstack), their grants show from Xen's
# own table with in_use -, rw / r while xgt maps them, - again; index null (xgt did not make
# them); `top` counts them; `gnttab copy` moves bytes the guest sees, both ways.
set -euo pipefail
cd "$(dirname "$0")/../.."
xgt() { node bin/run.js --backend native "$@"; }
fail() { echo "inspect: FAILED - $*" >&2; exit 1; }
check() { local what=$1 got=$2 want=$3; [ "$got" = "$want" ] || fail "$what: got '$got', want '$want'"; echo "ok - $what"; }
guests=()
trap 'for g in "${guests[@]}"; do domu destroy "$g" >/dev/null 2>&1 || true; done' EXIT
xgt agent stop >/dev/null 2>&1 || true

for type in hvm pvh; do
  g=$(domu create --$type --mem 16)
  guests+=("$g")
  domu write "$g" --gfn 0x20 "hello from $type" >/dev/null
  domu grant "$g" --ref 8 --gfn 0x20 --to 0 >/dev/null
  domu grant "$g" --ref 9 --gfn 0x21 --to 0 >/dev/null
  port=$(domu evtchn-unbound "$g" --remote 0)

  check "domain list: $type guest $g" "$(xgt domain list --json | jq -c ".domains[] | select(.domid == $g) | [.type, .memory_kb]")" "[\"$type\",16384]"
  entries() { xgt gnttab list --domid "$g" --json | jq -c '[.granted[] | [.index, .ref, .to, .frame, .in_use]]'; }
  check "$type grants, untouched" "$(entries)" '[[null,8,0,32,"-"],[null,9,0,33,"-"]]'
  m1=$(xgt gnttab map --domid "$g" 8 --json | jq .index)
  m2=$(xgt gnttab map --domid "$g" 9 --readonly --json | jq .index)
  check "$type grants, mapped rw and r" "$(entries)" '[[null,8,0,32,"rw"],[null,9,0,33,"r"]]'
  check "$type top row" "$(xgt top --json | jq -c ".domains[] | select(.domid == $g) | [.grants, .grants_mapped, .ports, .max_port]")" "[2,2,1,$port]"
  check "dom0 top row maps the guest's refs" "$(xgt top --json | jq -c '.domains[] | select(.domid == 0) | [.grants, .maps]')" '[null,2]'
  xgt gnttab unmap "$m1" >/dev/null
  xgt gnttab unmap "$m2" >/dev/null
  check "$type grants, unmapped" "$(entries)" '[[null,8,0,32,"-"],[null,9,0,33,"-"]]'

  check "$type copy out" "$(xgt gnttab copy --domid "$g" --from-ref 8 --length 10 --format raw)" "hello from"
  xgt gnttab copy --domid "$g" --to-ref 9 --offset 100 --data "reply to $type" >/dev/null
  check "$type copy in, seen by the guest" "$(domu read "$g" --gfn 0x21 --offset 100)" "reply to $type"
  check "$type copy across the page" "$(xgt gnttab copy --domid "$g" --from-ref 8 --offset 4000 --length 200 --json | jq -c '[.error.code, .error.gntst_name]')" '["EINVAL","GNTST_bad_copy_arg"]'
done
echo "inspect: all passed"
