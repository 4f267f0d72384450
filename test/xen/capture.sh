#!/usr/bin/env bash
# Inside the real dom0: the capture -> trace -> replay loop. With domu guests (HVM and PVH)
# granting pages and holding ports, `emu capture` writes the host as a state file; on it the
# emulator's domain list, gnttab list --domid G and evtchn list --domid G equal the native ones.
# Then a script run natively with --trace right after the capture replays on the capture with
# no divergence.
set -euo pipefail
cd "$(dirname "$0")/../.."
nat() { node bin/run.js --backend native "$@"; }
emu() { node bin/run.js --backend emu --state "$cap" "$@"; }
fail() { echo "capture: FAILED - $*" >&2; exit 1; }
work=$(mktemp -d /tmp/xgt-capture-XXXXXX)
cap=$work/host.db
guests=()
trap 'for g in "${guests[@]}"; do domu destroy "$g" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT
nat agent stop >/dev/null 2>&1 || true

for type in hvm pvh; do
  g=$(domu create --$type --mem 16)
  guests+=("$g")
  domu grant "$g" --ref 8 --gfn 0x20 --to 0 >/dev/null
  domu grant "$g" --ref 9 --gfn 0x21 --to 0 --readonly >/dev/null
  domu grant "$g" --ref 10 --gfn 0x22 --to 0 >/dev/null
  domu evtchn-unbound "$g" --remote 0 >/dev/null
  domu evtchn-unbound "$g" --remote 0 >/dev/null
done
h=${guests[0]}
nat gnttab map --domid "$h" 10 >/dev/null                   # an in-use grant at capture time

nat emu capture --out "$cap" --json | jq -c .
emu emu check >/dev/null || fail "the capture does not check clean: $(emu emu check 2>&1 | tail -1)"
same() {
  local what=$1; shift
  local a b
  a=$(nat "$@" --json | jq -S .); b=$(emu "$@" --json | jq -S .)
  [ "$a" = "$b" ] || { diff <(echo "$a") <(echo "$b") | head -20 >&2; fail "$what differs on the capture"; }
  echo "ok - $what: the capture answers as the host"
}
same "domain list" domain list
for g in "${guests[@]}"; do
  same "gnttab list --domid $g" gnttab list --domid "$g"
  same "evtchn list --domid $g" evtchn list --domid "$g"
done
same "top" top

# a script traced natively right after the capture, replayed on it
trace=$work/session.trace
export XGT_TRACE=$trace
p=$(nat evtchn list --domid "$h" --json | jq '[.ports[] | select(.state == "unbound")][0].port')
m=$(nat gnttab map --domid "$h" 8 --json | jq .index)
nat gnttab write --index "$m" --offset 100 --data "written by dom0" >/dev/null
nat gnttab read --index "$m" --offset 100 --length 15 --format raw >/dev/null
nat gnttab copy --domid "$h" --from-ref 8 --offset 100 --length 15 >/dev/null
nat gnttab copy --domid "$h" --to-ref 9 --data nope >/dev/null || true    # read-only: refused
nat gnttab map --domid "$h" 9 --readonly >/dev/null
nat gnttab list --domid "$h" >/dev/null
b=$(nat evtchn bind --interdomain --remote "$h" --remote-port "$p" --json | jq .port)
nat evtchn wait "$b" --timeout 0 >/dev/null
nat evtchn notify "$b" >/dev/null
nat evtchn list --domid "$h" >/dev/null
nat gnttab map --domid "$h" 4242 >/dev/null || true                    # refused: not granted
nat gnttab unmap "$m" >/dev/null
nat evtchn unbind "$b" >/dev/null
nat top >/dev/null
unset XGT_TRACE
echo "traced $(wc -l < "$trace") commands natively"
out=$(node bin/run.js replay "$trace" --state "$cap" --keep-going --json) || { echo "$out" | jq . >&2; fail "the replay on the capture diverged"; }
echo "$out" | jq -c '{commands, divergences: (.divergences | length)}'

# and an emulator that answers wrongly (a fault on the copy of the capture) is caught
cp "$cap" "$work/wrong.db"
node bin/run.js --backend emu --state "$work/wrong.db" emu fault add --op gnttab.copy --code EINVAL --gntst GNTST_bad_page >/dev/null
if out=$(node bin/run.js replay "$trace" --state "$work/wrong.db" --json); then fail "a wrong emulator replayed without divergence"; fi
[ "$(echo "$out" | jq -c '[.divergences[0].argv[1], .divergences[0].got.output.error.gntst_name]')" = '["copy","GNTST_bad_page"]' ] \
  || fail "the divergence is not the copy's: $out"
echo "ok - a wrong emulator rule is reported by the replay"
echo "capture: all passed"
