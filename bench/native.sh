#!/usr/bin/env bash
# The native benchmark: inside a real dom0, an `xgt batch` script like a backend's — each round
# maps a different ref (64 pages granted, round i takes the i-th mod 64), writes a few bytes at an
# offset that varies, and unmaps — against bench/gnt-loop.c making the same ioctls, in the same run.
# From the host:
#   ../shared/xen-vm/run-in-dom0.sh 'bash bench/native.sh'   (build first: npm run prepare-cli && npm run build:native)
# The C program times its loop only; xgt's rate is taken the same way, without node's start-up:
# XGT_BATCH_TIMING=1 has `xgt batch` report the time from its script read to the last result
# (reading and planning every line, the calls, the output). The agent is long-lived, so it is
# measured warm, as the C program is measured compiled: WARM batches first (the first one's rate
# is printed as "first batch"). Then R rounds of C and xgt, interleaved, since the emulated
# machine's speed drifts during a run; the figures are medians, the ratio the median of the rounds'
# ratios. The whole-process rate (start-up included) is printed too.
# Last line: RESULT c=… xgt=… whole=… ratio=…
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
R=${R:-9}
WARM=${WARM:-10}
cc=$(mktemp -d)/gnt-loop
gcc -O2 -o "$cc" bench/gnt-loop.c
node bin/run.js agent stop >/dev/null 2>&1 || true
refs=($(node bin/run.js gnttab grant --to 0 --pages 64 --json | sed -E 's/.*"refs":\[([0-9,]+)\].*/\1/' | tr , ' '))
script=$(mktemp)
for i in $(seq 0 $((N - 1))); do
  echo "gnttab map --domid 0 ${refs[$((i % 64))]}"
  echo "gnttab write --index 0 --offset $(( (i * 13) % 4000 )) --data round$((i % 100))"
  echo "gnttab unmap 0"
done > "$script"
# prints: rounds/s (script read to last result) and the whole process's wall time in ms
xgt_batch() {
  local s out
  s=$(date +%s%N)
  out=$(XGT_BATCH_TIMING=1 node bin/run.js batch "$script" 2>&1 >/dev/null | sed -nE 's/^batch timing: .* ([0-9]+)\/s .*/\1/p')
  echo "$(( ${out:-0} / 3 )) $(( ($(date +%s%N) - s) / 1000000 ))"
}
read -r first _ <<< "$(xgt_batch)"
for _ in $(seq 2 "$WARM"); do xgt_batch >/dev/null; done
c=() x=() w=()
for _ in $(seq "$R"); do
  c_rate=$("$cc" "$N")
  read -r rounds_s wall <<< "$(xgt_batch)"
  c+=("$c_rate") x+=("$rounds_s") w+=("$((N * 1000 / wall))")
done
node bin/run.js agent stop >/dev/null 2>&1 || true
rm -f "$script"
node -e "
const med = (a) => { const s = [...a].sort((p, q) => p - q); return s[s.length >> 1]; };
const c = [$(IFS=,; echo "${c[*]}")], x = [$(IFS=,; echo "${x[*]}")], w = [$(IFS=,; echo "${w[*]}")];
const r = x.map((v, i) => v / c[i]);
console.log('native rounds/s (map a different ref, write, unmap), $R interleaved rounds: C ' + c.join(' ')
  + '; xgt batch ' + x.join(' ') + ' (start-up excluded); whole process ' + w.join(' ') + '; first batch of a new agent ' + $first);
console.log('RESULT c=' + med(c) + ' xgt=' + med(x) + ' whole=' + med(w) + ' ratio=' + med(r).toFixed(3));"
