#!/usr/bin/env bash
# Inside the real dom0: a native batch run by the agent prints exactly what the same batch run
# line by line from the CLI prints (XGT_BATCH_IN_AGENT=0), with the same exit code and summary —
# successes, refusals, usage errors, a poll, a line the fast path hands to oclif, --keep-going —
# and so does the agent running its lines one at a time instead of pipelined (XGT_BATCH_PIPELINE=0),
# across the pipeline's groups of lines with a failure in the middle of one. The reference runs every
# line by its command (XGT_BATCH_REPLAY=0); the others replay repeated lines as they do by default.
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
gnttab write --index 0 --hex '0badcafe'
gnttab read --index 4096 --length 4
gnttab write --index 4096 --hex 00
gnttab unmap 0
gnttab unmap 4096
evtchn bind --unbound --remote 0
evtchn wait --timeout 0
evtchn notify 4242
gnttab list
LINES
# a script the agent declines (a line that is not a device command): the CLI runs it all
declined=$(mktemp)
printf 'gnttab list\ninfo\ngnttab map --domid $PEER 10\ngnttab unmap 0\n' > "$declined"
# 40 lines: map/unmap pairs, an unmap of nothing at line 25 (in the pipeline's second group), maps after it
long=$(mktemp)
{ for _ in $(seq 12); do echo 'gnttab map --domid $PEER 10'; echo 'gnttab unmap 0'; done
  echo 'gnttab unmap 0'; for _ in $(seq 15); do echo 'gnttab map --domid $PEER 10'; done; } > "$long"
# 300 lines of repeats, past the pipeline's first group: map/unmap pairs, a refused map and an
# unmap of nothing among them (replayed), then maps
repeats=$(mktemp)
{ for i in $(seq 140); do echo 'gnttab map --domid $PEER 10'; echo 'gnttab unmap 0'
    if [ $((i % 50)) = 0 ]; then echo 'gnttab map --domid $PEER 99999'; echo 'gnttab unmap 0'; fi; done
  for _ in $(seq 14); do echo 'gnttab map --domid $PEER 10'; done; } > "$repeats"
status=0
run() { # in-agent pipeline replay keep-going script
  xgt agent stop >/dev/null 2>&1
  local out rc
  out=$(PEER=$peer XGT_BATCH_IN_AGENT=$1 XGT_BATCH_PIPELINE=$2 XGT_BATCH_REPLAY=$3 node bin/run.js batch $4 "$5" 2>&1); rc=$?
  printf '%s\nexit=%s\n' "$out" "$rc"
}
for kg in "" --keep-going; do
  for s in "$script" "$declined" "$long" "$repeats"; do
    c=$(run 0 1 0 "$kg" "$s")
    for mode in "0 1 1" "1 1 1" "1 0 1" "1 1 0"; do
      a=$(run $mode "$kg" "$s")
      if [ "$a" = "$c" ]; then echo "same output and exit (in-agent, pipeline, replay = $mode $kg $(basename "$s")): $(echo "$a" | tail -2 | tr '\n' ' ')"
      else echo "DIFFERENT (in-agent, pipeline, replay = $mode $kg $(basename "$s"))"; diff <(echo "$c") <(echo "$a"); status=1; fi
    done
  done
done
# the repeats really were replayed, in the agent
replayed=$(PEER=$peer XGT_BATCH_TIMING=1 node bin/run.js batch --keep-going "$repeats" 2>&1 >/dev/null | sed -nE 's/.*run by the agent .* ([0-9]+) repeated line.*/\1/p')
if [ "${replayed:-0}" -gt 100 ]; then echo "the agent replayed $replayed repeated lines"
else echo "NOT REPLAYED: '$replayed'"; status=1; fi
# the first script really ran in the agent, the second did not
where() { PEER=$peer XGT_BATCH_TIMING=1 node bin/run.js batch --keep-going "$1" 2>&1 >/dev/null | sed -nE 's/.*run by (the agent|this process).*/\1/p'; }
if [ "$(where "$script")" = "the agent" ] && [ "$(where "$declined")" = "this process" ]; then echo "the agent ran the device script and declined the other"
else echo "WRONG PLACE: device script run by '$(where "$script")', the other by '$(where "$declined")'"; status=1; fi
# the agent names the build it runs, the installed one
st=$(node bin/run.js agent status --json)
if echo "$st" | grep -q "\"build\":\"$(cat dist/build-id)\",\"stale\":false"; then echo "the agent runs the installed build"
else echo "WRONG BUILD: $st (installed: $(cat dist/build-id))"; status=1; fi
xgt agent stop >/dev/null 2>&1
domu destroy "$peer" >/dev/null
exit $status
