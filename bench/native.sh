#!/usr/bin/env bash
# The native benchmark (item 5): inside a real dom0, `xgt batch` mapping and unmapping a grant
# against a small C program doing the same ioctls, in the same run. From the host:
#   ../shared/xen-vm/run-in-dom0.sh 'bash bench/native.sh'   (build first: npm run prepare-cli && npm run build:native)
# The C program times its loop only; xgt's rate is taken the same way, without node's start-up:
# XGT_BATCH_TIMING=1 has `xgt batch` report the time from its script read to the last result
# (the lines, their parsing and output included). The agent is long-lived, so it is measured
# warm, as the C program is measured compiled: WARM batches of N pairs first (20), while V8
# compiles and optimises the line path (the first one's rate is printed as "first batch"): in
# the dom0 a new agent's rate climbs for ~16,000-18,000 lines, then steps up about twofold once
# V8 has optimised the code that makes a group's calls. Then R rounds of C and xgt, interleaved,
# since the emulated machine's speed drifts during a run; the figures are the medians, the ratio
# the median of the rounds' ratios. The script repeats two lines, as the C loop repeats its
# ioctls, so xgt replays them (XGT_BATCH_REPLAY); each round also runs the batch with every line
# by its command (XGT_BATCH_REPLAY=0: what a script of all different lines costs), reported as
# "every line by its command". The whole-process rate (start-up included) is printed too.
# Last line: RESULT c=… xgt=… whole=… ratio=… by_command=… ratio_by_command=…
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
R=${R:-9}
WARM=${WARM:-20}
cc=$(mktemp -d)/gnt-loop
gcc -O2 -o "$cc" bench/gnt-loop.c
node bin/run.js agent stop >/dev/null 2>&1 || true
node bin/run.js gnttab grant --to 0 >/dev/null
ref=$(node bin/run.js gnttab list --json | sed -E 's/.*"ref":([0-9]+).*/\1/')
script=$(mktemp)
for _ in $(seq "$N"); do echo "gnttab map --domid 0 $ref"; echo "gnttab unmap 0"; done > "$script"
# prints: lines/s (script read to last result) and the whole process's wall time in ms; $1: XGT_BATCH_REPLAY
xgt_batch() {
  local s out
  s=$(date +%s%N)
  out=$(XGT_BATCH_REPLAY=$1 XGT_BATCH_TIMING=1 node bin/run.js batch "$script" 2>&1 >/dev/null | sed -nE 's/^batch timing: .* ([0-9]+)\/s, run by the agent .*/\1/p')
  echo "${out:-0} $(( ($(date +%s%N) - s) / 1000000 ))"
}
read -r first _ <<< "$(xgt_batch 1)"
# both ways warm: the replayed lines' path and the commands'
for k in $(seq 2 "$WARM"); do xgt_batch $((k % 2)) >/dev/null; done
c=() x=() w=() b=()
for _ in $(seq "$R"); do
  c_rate=$("$cc" "$N")
  read -r lines_s wall <<< "$(xgt_batch 1)"
  read -r by_command _ <<< "$(xgt_batch 0)"
  c+=("$c_rate") x+=("$((lines_s / 2))") w+=("$((N * 1000 / wall))") b+=("$((by_command / 2))")
done
node bin/run.js agent stop >/dev/null 2>&1 || true
rm -f "$script"
node -e "
const med = (a) => { const s = [...a].sort((p, q) => p - q); return s[s.length >> 1]; };
const c = [$(IFS=,; echo "${c[*]}")], x = [$(IFS=,; echo "${x[*]}")], w = [$(IFS=,; echo "${w[*]}")], b = [$(IFS=,; echo "${b[*]}")];
const r = x.map((v, i) => v / c[i]);
const rb = b.map((v, i) => v / c[i]);
console.log('native map+unmap pairs/s, $R interleaved rounds: C ' + c.join(' ') + '; xgt batch ' + x.join(' ')
  + ' (start-up excluded); every line by its command ' + b.join(' ') + '; whole process ' + w.join(' ')
  + '; first batch of a new agent ' + Math.round($first / 2));
console.log('RESULT c=' + med(c) + ' xgt=' + med(x) + ' whole=' + med(w) + ' ratio=' + med(r).toFixed(3)
  + ' by_command=' + med(b) + ' ratio_by_command=' + med(rb).toFixed(3));"
