#!/usr/bin/env bash
# dom0 granting to itself: indices, refs, sharing both ways, deferred frees, refusals.
source "$(dirname "$0")/lib.sh"
xgt batch --json --keep-going <<'LINES' || true
gnttab grant --to 0 --pages 2
gnttab grant --to 0 --pages 1 --readonly
gnttab map --domid 0 8 9
gnttab map --domid 0 10
gnttab map --domid 0 10 --readonly
gnttab write --index 0 --offset 4095 --data across
gnttab read --ref 8 --offset 4095 --length 1
gnttab read --ref 9 --length 5
gnttab write --index 8192 --data nope
gnttab list
gnttab ungrant 0
gnttab ungrant 0
gnttab unmap 0
gnttab grant --to 0
gnttab unmap 4096
gnttab grant --to 0 --pages 2000
evtchn bind --virq 99
evtchn bind --virq 0
evtchn unbind 1
evtchn unbind 200000
LINES
