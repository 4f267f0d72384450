#!/usr/bin/env bash
# dom0 as the backend of an HVM guest: map its granted pages, bind its port, notify, run an
# ioreq server that claims and disclaims the ioreq_server memory type, and set memory types.
source "$(dirname "$0")/lib.sh"
G=$(guest_create)
echo "guest $G"
r1=$(guest_grant "$G" 8 0x20)
r2=$(guest_grant "$G" 9 0x21)
guest_write "$G" "$r2" 0x21 100 "hello from the guest"
map=$(xgt gnttab map --domid "$G" "$r1" "$r2" --json); echo "$map"
idx=$(echo "$map" | field index)
echo "read: $(xgt gnttab read --index "$idx" --offset 4196 --length 20 --format raw)"
xgt gnttab write --index "$idx" --offset 2048 --data "reply from dom0" --json
echo "guest reads: $(guest_read "$G" "$r1" 0x20 2048 15)"
show gnttab map --domid "$G" 9999
show gnttab map --domid "$G" 100
show gnttab unmap "$idx"
show gnttab unmap "$idx"

gp=$(guest_unbound "$G")
bind=$(xgt evtchn bind --interdomain --remote "$G" --remote-port "$gp" --json); echo "$bind"
port=$(echo "$bind" | sed -E 's/.*"port":([0-9]+),.*/\1/')
show evtchn wait "$port" --timeout 0
show evtchn wait "$port" --timeout 0
show evtchn notify "$port"
show evtchn bind --interdomain --remote "$G" --remote-port "$gp"
show evtchn unbind "$port"
show evtchn notify "$port"

show dmop create-ioreq-server --domid "$G"
show dmop create-ioreq-server --domid "$G" --bufioreq atomic
show dmop map-mem-type --domid "$G" --id 0 --access read
show dmop set-mem-type --domid "$G" --type ioreq_server --first-pfn 0x100 --count 4
show dmop map-mem-type --domid "$G" --id 0 --access write
show dmop map-mem-type --domid "$G" --id 1 --access write
show dmop set-mem-type --domid "$G" --type ioreq_server --first-pfn 0x100 --count 4
show dmop set-mem-type --domid "$G" --type ram_ro --first-pfn 0x100 --count 1
show dmop list --domid "$G"
show dmop map-mem-type --domid "$G" --id 1 --access none
show dmop map-mem-type --domid "$G" --id 0 --access none
show dmop list --domid "$G"
show dmop destroy-ioreq-server --domid "$G" --id 0
show dmop destroy-ioreq-server --domid "$G" --id 0
show dmop destroy-ioreq-server --domid "$G" --id 1
show dmop create-ioreq-server --domid 0
show dmop set-mem-type --domid "$G" --type ram_ro --first-pfn 0 --count 0
guest_destroy "$G"
