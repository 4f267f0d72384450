#!/usr/bin/env bash
# Two places where the real evtchn device and the emulator parted ways (found by a differential
# run, XEN-RULES "event channels"), now the same on both backends — run on the one named ($1):
# - a port number reused after an unbind starts with no event: what the device queued for the
#   old channel is not the new channel's;
# - a `wait` killed (SIGKILL) while it waits takes nothing with it: the next event for that port
#   is there for the next wait.
set -euo pipefail
cd "$(dirname "$0")/../.."
backend=${1:?usage: wait-ends.sh emu|native}
xgt() { node bin/run.js --backend "$backend" "$@"; }
fail() { echo "wait-ends ($backend): FAILED - $*" >&2; exit 1; }
if [ "$backend" = emu ]; then export XGT_STATE=$(mktemp -u /tmp/xgt-wait-ends-XXXXXX.db); trap 'rm -f "$XGT_STATE"*' EXIT; fi
[ "$backend" = native ] && { xgt agent stop >/dev/null 2>&1 || true; }
port() { jq -r .port; }

# 1. reuse of an unbound port's number
a=$(xgt evtchn bind --unbound --remote 0 --json | port)
b=$(xgt evtchn bind --interdomain --remote 0 --remote-port "$a" --json | port)   # pending at once
xgt evtchn unbind "$b" >/dev/null
c=$(xgt evtchn bind --unbound --remote 0 --json | port)
[ "$c" = "$b" ] || fail "the new channel got port $c, not $b again"
got=$(xgt evtchn wait "$c" --timeout 0 --json | jq -c . || true)
[ "$(echo "$got" | jq -r .error.code)" = ETIMEDOUT ] || fail "the reused port $c reports an event it never had: $got"
xgt evtchn unbind "$c" >/dev/null; xgt evtchn unbind "$a" >/dev/null
echo "ok - a reused port starts with no event"

# 2. a killed wait
a=$(xgt evtchn bind --unbound --remote 0 --json | port)
b=$(xgt evtchn bind --interdomain --remote 0 --remote-port "$a" --json | port)
xgt evtchn wait "$b" --timeout 0 >/dev/null                                      # the bind's own event
node bin/run.js --backend "$backend" evtchn wait "$a" --timeout 120000 >/dev/null 2>&1 &
waiter=$!
sleep 3                                                                          # it is waiting
kill -KILL "$waiter"; wait "$waiter" 2>/dev/null || true
sleep 2                                                                          # the agent has seen it go
xgt evtchn notify "$b" >/dev/null
got=$(xgt evtchn wait "$a" --timeout 10000 --json | jq -c .ports)
[ "$got" = "[$a]" ] || fail "the event after a killed wait was lost: $got"
xgt evtchn unbind "$b" >/dev/null; xgt evtchn unbind "$a" >/dev/null
echo "ok - a killed wait takes nothing with it"
