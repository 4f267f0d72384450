#!/usr/bin/env bash
# The native benchmark (item 5): inside a real dom0, `xgt batch` mapping and unmapping a grant
# against a small C program doing the same ioctls, in the same run. From the host:
#   ../shared/xen-vm/run-in-dom0.sh 'bash bench/native.sh'   (build first: npm run prepare-cli && npm run build:native)
# The C program times its loop only; xgt's rate is taken the same way, without the start-up of
# the node processes: the time of a batch of N pairs minus that of N/5 pairs, for the 4N/5 more.
# The whole-process rate (start-up included) is printed too. Last line: RESULT c=… xgt=… ratio=…
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
cc=$(mktemp -d)/gnt-loop
gcc -O2 -o "$cc" bench/gnt-loop.c
node bin/run.js agent stop >/dev/null 2>&1 || true
c_rate=$("$cc" "$N")
node bin/run.js gnttab grant --to 0 >/dev/null
ref=$(node bin/run.js gnttab list --json | sed -E 's/.*"ref":([0-9]+).*/\1/')
small=$((N / 5))
script() { for _ in $(seq "$1"); do echo "gnttab map --domid 0 $ref"; echo "gnttab unmap 0"; done; }
script "$small" > /tmp/xgt-bench-small.txt
script "$N" > /tmp/xgt-bench-big.txt
node bin/run.js batch /tmp/xgt-bench-small.txt >/dev/null 2>&1   # the agent's first batch loads its code
ms() { local s; s=$(date +%s%N); node bin/run.js batch "$1" >/dev/null 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }
t_small=$(ms /tmp/xgt-bench-small.txt)
t_big=$(ms /tmp/xgt-bench-big.txt)
node bin/run.js agent stop >/dev/null 2>&1 || true
node -e "
const c = $c_rate, steady = ($N - $small) / (($t_big - $t_small) / 1000), whole = $N / ($t_big / 1000);
console.log('native map+unmap pairs/s: C ' + c + '; xgt batch ' + steady.toFixed(0) + ' (start-up excluded), '
  + whole.toFixed(0) + ' (whole process, ' + $N + ' pairs in ' + $t_big + ' ms)');
console.log('RESULT c=' + c + ' xgt=' + steady.toFixed(0) + ' whole=' + whole.toFixed(0) + ' ratio=' + (steady / c).toFixed(3));"
