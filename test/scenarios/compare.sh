#!/usr/bin/env bash
# Runs every scenario on the emulator and, where /dev/xen exists, on the native backend, and
# checks that the normalised outputs are identical. Exit 1 on any difference.
set -uo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
backends="emu"
[ -e "${XGT_XEN_DEVICE_DIR:-/dev/xen}/privcmd" ] && backends="emu native"
status=0
for s in guest-backend self-grant shbuf; do
  for b in $backends; do
    if [ "$b" = native ]; then node ../../bin/run.js agent stop >/dev/null 2>&1 || true; fi
    XGT_BACKEND=$b bash "$s.sh" 2>"$out/$s.$b.err" | node normalise.mjs > "$out/$s.$b"
    if [ -s "$out/$s.$b.err" ]; then echo "$s on $b wrote to stderr:"; cat "$out/$s.$b.err"; status=1; fi
  done
  if [ "$backends" = "emu native" ]; then
    if diff -u "$out/$s.emu" "$out/$s.native"; then echo "scenario $s: identical on emu and native ($(wc -l < "$out/$s.emu") lines)"
    else echo "scenario $s: emu and native DIFFER"; status=1; fi
  else
    echo "scenario $s on emu: $(wc -l < "$out/$s.emu") lines"; [ -n "${SHOW:-}" ] && cat "$out/$s.emu"
  fi
done
exit $status
