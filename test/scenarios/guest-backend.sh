#!/usr/bin/env bash
# dom0 as the backend of an HVM guest: map its granted pages, bind its port, notify, run an
# ioreq server that claims and disclaims the ioreq_server memory type, and set memory types.
source "$(dirname "$0")/lib.sh"
G=$(guest_create)
echo "guest $G"
r1=$(guest_grant "$G" 8 0x20)
r2=$(guest_grant "$G" 9 0x21)
guest_write "$G" "$r2" 0x21 100 "hello from the guest"
gp=$(guest_unbound "$G")
P=$(xgt evtchn bind --interdomain --remote "$G" --remote-port "$gp" --json | field port)
export G r1 r2 gp P
xgt batch --json --keep-going <<'LINES' || true
gnttab map --domid $G $r1 $r2
gnttab read --index 0 --offset 4196 --length 20
gnttab write --index 0 --offset 2048 --data "reply from dom0"
gnttab map --domid $G 9999
gnttab map --domid $G 100
gnttab unmap 0
gnttab unmap 0
evtchn wait $P --timeout 0
evtchn wait $P --timeout 0
evtchn notify $P
evtchn bind --interdomain --remote $G --remote-port $gp
evtchn unbind $P
evtchn notify $P
dmop create-ioreq-server --domid $G
dmop create-ioreq-server --domid $G --bufioreq atomic
dmop map-mem-type --domid $G --id 0 --access read
dmop set-mem-type --domid $G --type ioreq_server --first-pfn 0x100 --count 4
dmop map-mem-type --domid $G --id 0 --access write
dmop map-mem-type --domid $G --id 1 --access write
dmop set-mem-type --domid $G --type ioreq_server --first-pfn 0x100 --count 4
dmop set-mem-type --domid $G --type ram_ro --first-pfn 0x100 --count 1
dmop list --domid $G
dmop map-mem-type --domid $G --id 1 --access none
dmop map-mem-type --domid $G --id 0 --access none
dmop list --domid $G
dmop destroy-ioreq-server --domid $G --id 0
dmop destroy-ioreq-server --domid $G --id 0
dmop destroy-ioreq-server --domid $G --id 1
dmop create-ioreq-server --domid 0
dmop set-mem-type --domid $G --type ram_ro --first-pfn 0 --count 0
LINES
echo "guest reads: $(guest_read "$G" "$r1" 0x20 2048 15)"
guest_destroy "$G"
