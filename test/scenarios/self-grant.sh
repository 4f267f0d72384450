#!/usr/bin/env bash
# dom0 granting to itself: indices, refs, sharing both ways, deferred frees, refusals.
source "$(dirname "$0")/lib.sh"
show gnttab grant --to 0 --pages 2
show gnttab grant --to 0 --pages 1 --readonly
show gnttab map --domid 0 8 9
show gnttab map --domid 0 10
show gnttab map --domid 0 10 --readonly
show gnttab write --index 0 --offset 4095 --data "across"
echo "through the grant: $(xgt gnttab read --ref 8 --offset 4095 --length 1 --format raw)$(xgt gnttab read --ref 9 --length 5 --format raw)"
show gnttab write --index 8192 --data nope
show gnttab list
show gnttab ungrant 0
show gnttab ungrant 0
show gnttab unmap 0
show gnttab grant --to 0
show gnttab unmap 4096
show gnttab grant --to 0 --pages 2000
show evtchn bind --virq 99
show evtchn bind --virq 0
show evtchn unbind 1
show evtchn unbind 200000
