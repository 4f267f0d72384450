#!/usr/bin/env bash
# Inside the real dom0: a native batch run by the agent prints exactly what the same batch run
# line by line from the CLI prints (XGT_BATCH_IN_AGENT=0), with the same exit code and summary —
# successes, refusals, usage errors, a poll, a line the fast path hands to oclif, --keep-going.
set -uo pipefail
cd "$(dirname "$0")/../.."
xgt() { node bin/run.js "$@"; }
xgt agent stop >/dev/null 2>&1
peer=$(domu create --hvm --mem 16)
domu grant "$peer" --ref 10 --gfn 5 --to 0 >/dev/null
script=$(mktemp)
cat > "$script" <<'LINES'
gnttab map --domid $PEER 10
gnttab map --domid $PEER 10 --readonly
gnttab map --domid $PEER 99999
gnttab map --domid 0 --bogus 8
gnttab write --index 0 --hex 0badcafe
gnttab read --index 4096 --length 4
gnttab write --index 4096 --hex 00
gnttab unmap 0
gnttab unmap 4096
evtchn bind --unbound --remote 0
evtchn wait --timeout 0
evtchn notify 4242
gnttab list
LINES
status=0
run() { # mode keep-going
  xgt agent stop >/dev/null 2>&1
  local out rc
  out=$(PEER=$peer XGT_BATCH_IN_AGENT=$1 node bin/run.js batch $2 "$script" 2>&1); rc=$?
  printf '%s\nexit=%s\n' "$out" "$rc"
}
for kg in "" --keep-going; do
  a=$(run 1 "$kg"); c=$(run 0 "$kg")
  if [ "$a" = "$c" ]; then echo "same output and exit ($kg): $(echo "$a" | tail -2 | tr '\n' ' ')"
  else echo "DIFFERENT ($kg)"; diff <(echo "$c") <(echo "$a"); status=1; fi
done
xgt agent stop >/dev/null 2>&1
domu destroy "$peer" >/dev/null
exit $status
