#!/usr/bin/env bash
# Inside the real dom0: a native batch — its calls sent to the agent as lists — prints exactly
# what its lines print run one process each, with the same exit code: successes, refusals, usage
# errors, a line the fast path hands to oclif's parser, a poll, a procedure over the interface
# between the lists, with and without --keep-going. And a batch longer than one list (512 calls)
# with a failure in its second list stops there, or goes on with --keep-going.
set -uo pipefail
cd "$(dirname "$0")/../.."
xgt() { node bin/run.js "$@"; }
xgt agent stop >/dev/null 2>&1
peer=$(domu create --hvm --mem 16)
domu grant "$peer" --ref 10 --gfn 5 --to 0 >/dev/null
# the scripts name the guest as $PEER
export PEER=$peer
script=$(mktemp)
cat > "$script" <<'LINES'
gnttab map --domid $PEER 10
gnttab map --domid $PEER 10 --readonly
gnttab map --domid $PEER 99999
gnttab map --domid 0 --bogus 8
gnttab write --index 0 --hex 0badcafe
gnttab read --index 4096 --length 4
gnttab write --index 4096 --hex 00
shbuf free --mapping 0
gnttab unmap 4096
gnttab unmap 4096
evtchn bind --unbound --remote 0
evtchn wait --timeout 0
evtchn notify 4242
info
gnttab list
LINES
status=0
for kg in "" --keep-going; do
  xgt agent stop >/dev/null 2>&1
  # the batch's result lines carry their numbers; the rest must be the same
  batch=$(node bin/run.js batch --json $kg "$script" 2>&1 | sed -E 's/^\{"line":[0-9]+,/{/'; echo "exit=${PIPESTATUS[0]}")
  xgt agent stop >/dev/null 2>&1
  one=$( (rc=0; while read -r line; do
      eval "node bin/run.js $line --json" 2>&1; r=$?
      if [ "$r" != 0 ]; then [ "$rc" = 0 ] && rc=$r; [ -z "$kg" ] && break; fi
    done < "$script"; echo "exit=$rc") )
  if [ "$batch" = "$one" ]; then echo "same output and exit as one process a line ($kg): $(echo "$batch" | tail -1)"
  else
    echo "DIFFERENT from one process a line ($kg)"
    echo "$one" > "$script.one"; echo "$batch" > "$script.batch"; diff "$script.one" "$script.batch"; status=1
  fi
done
# 640 lines: map/unmap pairs, an unmap of nothing at line 601 (in the second list of calls), then
# maps of the same grant (a PV dom0 pins a grant twice a mapping: Xen's 128 pins allow 64)
long=$(mktemp)
{ for _ in $(seq 300); do echo 'gnttab map --domid $PEER 10'; echo 'gnttab unmap 0'; done
  echo 'gnttab unmap 0'; for _ in $(seq 39); do echo 'gnttab map --domid $PEER 10'; done; } > "$long"
for kg in "" --keep-going; do
  xgt agent stop >/dev/null 2>&1
  out=$(node bin/run.js batch $kg "$long" 2>/dev/null); rc=$?
  lines=$(echo "$out" | wc -l)
  maps=$(echo "$out" | grep -Ec "^\{\"line\":[0-9]+,\"index\":[0-9]+,\"domid\":$peer,\"refs\":\[10\],\"count\":1,\"readonly\":false\}$")
  unmaps=$(echo "$out" | grep -Ec "^\{\"line\":[0-9]+,\"index\":0,\"domid\":$peer,\"refs\":\[10\],\"count\":1\}$")
  at=$(echo "$out" | grep '"code":"ENOENT"' | sed -E 's/^\{"line":([0-9]+),.*/\1/')
  want_lines=601 want_maps=300; [ -n "$kg" ] && want_lines=640 want_maps=339
  if [ "$rc" = 1 ] && [ "$lines" = "$want_lines" ] && [ "$maps" = "$want_maps" ] && [ "$unmaps" = 300 ] && [ "$at" = 601 ]; then
    echo "a long batch ($kg) stops or goes on at its failure in its second list: $lines lines, exit $rc"
  else echo "LONG BATCH WRONG ($kg): exit $rc, $lines lines, $maps maps, $unmaps unmaps, ENOENT at line '$at'"; status=1; fi
done
# the agent names the build it runs, the installed one
st=$(node bin/run.js agent status --json)
if echo "$st" | grep -q "\"build\":\"$(cat dist/build-id)\",\"stale\":false"; then echo "the agent runs the installed build"
else echo "WRONG BUILD: $st (installed: $(cat dist/build-id))"; status=1; fi
xgt agent stop >/dev/null 2>&1
domu destroy "$peer" >/dev/null
exit $status
