#!/usr/bin/env bash
# The native benchmark (item 5): inside a real dom0, `xgt batch` mapping and unmapping a grant
# against a small C program doing the same ioctls, in the same run. From the host:
#   ../shared/xen-vm/run-in-dom0.sh 'bash bench/native.sh'   (build first: npm run prepare-cli && npm run build:native)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-500}
cc=$(mktemp -d)/gnt-loop
gcc -O2 -o "$cc" bench/gnt-loop.c
node bin/run.js agent stop >/dev/null 2>&1 || true
c_rate=$("$cc" "$N")
node bin/run.js gnttab grant --to 0 >/dev/null
ref=$(node bin/run.js gnttab list --json | sed -E 's/.*"ref":([0-9]+).*/\1/')
lines=$(mktemp)
for _ in $(seq "$N"); do echo "gnttab map --domid 0 $ref"; echo "gnttab unmap 0"; done > "$lines"
t0=$(date +%s.%N)
node bin/run.js batch "$lines" >/dev/null
t1=$(date +%s.%N)
node -e "const x = $N / ($t1 - $t0); console.log('native map+unmap pairs/s: C ' + $c_rate + ', xgt batch ' + x.toFixed(0) +
  ' (whole process, start-up included), ratio ' + (x / $c_rate).toFixed(2) + ' (target >= 0.5)')"
