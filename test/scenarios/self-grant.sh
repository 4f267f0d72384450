#!/usr/bin/env bash
# dom0 granting to itself: indices, refs, sharing both ways, deferred frees, refusals. Refs are
# whatever the kernel hands out (a host that has run a while has no fresh free list).
source "$(dirname "$0")/lib.sh"
first_ref() { sed -E 's/.*"refs":\[([0-9]+).*/\1/'; }
g1=$(xgt gnttab grant --to 0 --pages 2 --json); echo "$g1"
g2=$(xgt gnttab grant --to 0 --pages 1 --readonly --json); echo "$g2"
A=$(echo "$g1" | first_ref); B=$(echo "$g1" | sed -E 's/.*"refs":\[[0-9]+,([0-9]+)\].*/\1/'); C=$(echo "$g2" | first_ref)
export A B C
xgt batch --json --keep-going <<'LINES' || true
gnttab map --domid 0 $A $B
gnttab map --domid 0 $C
gnttab map --domid 0 $C --readonly
gnttab write --index 0 --offset 4095 --data across
gnttab read --ref $A --offset 4095 --length 1
gnttab read --ref $B --length 5
gnttab write --index 8192 --data nope
gnttab list
gnttab ungrant 0
gnttab ungrant 0
gnttab unmap 0
gnttab unmap 4096
gnttab grant --to 0 --pages 2000
evtchn bind --virq 99
evtchn bind --virq 0
evtchn unbind 1
evtchn unbind 200000
LINES
