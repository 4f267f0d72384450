# Shared by the scenario scripts: the same script runs on both backends. xgt's own commands are
# written once; only the guest's side differs: the emulator plays it with --as, real Xen with
# the xen-vm kit's domu tool. XGT_BACKEND (emu or native) picks.
set -euo pipefail
XGT_BIN="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin/run.js"
xgt() { node "$XGT_BIN" "$@"; }
# run a command and print its JSON, even when it is refused (scenarios record refusals too)
show() { xgt "$@" --json || true; }
field() { sed -E "s/.*\"$1\":([0-9]+).*/\1/"; }

if [ "${XGT_BACKEND:-emu}" = native ]; then
  guest_create() { domu create --hvm --mem 16; }
  guest_destroy() { domu destroy "$1" >/dev/null; }
  # guest_grant G REF GFN: the guest grants its page GFN to dom0 as REF; prints the ref
  guest_grant() { domu grant "$1" --ref "$2" --gfn "$3" --to 0 >/dev/null; echo "$2"; }
  # guest_write G REF GFN OFFSET TEXT / guest_read G REF GFN OFFSET LENGTH
  guest_write() { domu write "$1" --gfn "$3" --offset "$4" "$5" >/dev/null; }
  guest_read() { domu read "$1" --gfn "$3" --offset "$4" --length "$5"; }
  guest_unbound() { domu evtchn-unbound "$1" --remote 0; }
else
  export XGT_STATE=${XGT_STATE:-$(mktemp -d)/scenario.db}
  xgt emu init --force >/dev/null
  guest_create() { xgt domain create --name "guest$RANDOM" --memory 16M --json | field domid; }
  guest_destroy() { xgt domain destroy "$1" >/dev/null; }
  # the emulated guest's kernel picks its refs and pages itself (it hands out the same refs from 8)
  guest_grant() { xgt --as "$1" gnttab grant --to 0 --json | sed -E 's/.*"refs":\[([0-9]+)\].*/\1/'; }
  guest_write() { xgt --as "$1" gnttab write --ref "$2" --offset "$4" --data "$5" >/dev/null; }
  guest_read() { xgt --as "$1" gnttab read --ref "$2" --offset "$4" --length "$5" --format raw; }
  guest_unbound() { xgt --as "$1" evtchn bind --unbound --remote 0 --json | field port; }
fi
