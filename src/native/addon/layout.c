/* The ioctl numbers and structure layouts the JavaScript side builds its buffers by. */
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include <xen/version.h>
#include <xen/hvm/dm_op.h>
#include <xen/hvm/hvm_op.h>

#include <xen/privcmd.h>
#include <xen/gntdev.h>
#include <xen/gntalloc.h>
#include <xen/evtchn.h>

#include "addon.h"
#include "helpers.h"

#define SET(obj, name, value) napi_set_named_property(env, obj, name, num(env, (double)(value)))

napi_value js_layout(napi_env env, napi_callback_info info) {
  napi_value o;
  napi_create_object(env, &o);
  SET(o, "IOCTL_GNTDEV_MAP_GRANT_REF", IOCTL_GNTDEV_MAP_GRANT_REF);
  SET(o, "IOCTL_GNTDEV_UNMAP_GRANT_REF", IOCTL_GNTDEV_UNMAP_GRANT_REF);
  SET(o, "IOCTL_GNTDEV_GRANT_COPY", IOCTL_GNTDEV_GRANT_COPY);
  SET(o, "IOCTL_GNTALLOC_ALLOC_GREF", IOCTL_GNTALLOC_ALLOC_GREF);
  SET(o, "IOCTL_GNTALLOC_DEALLOC_GREF", IOCTL_GNTALLOC_DEALLOC_GREF);
  SET(o, "IOCTL_EVTCHN_BIND_VIRQ", IOCTL_EVTCHN_BIND_VIRQ);
  SET(o, "IOCTL_EVTCHN_BIND_INTERDOMAIN", IOCTL_EVTCHN_BIND_INTERDOMAIN);
  SET(o, "IOCTL_EVTCHN_BIND_UNBOUND_PORT", IOCTL_EVTCHN_BIND_UNBOUND_PORT);
  SET(o, "IOCTL_EVTCHN_UNBIND", IOCTL_EVTCHN_UNBIND);
  SET(o, "IOCTL_EVTCHN_NOTIFY", IOCTL_EVTCHN_NOTIFY);
  SET(o, "IOCTL_PRIVCMD_HYPERCALL", IOCTL_PRIVCMD_HYPERCALL);
  SET(o, "IOCTL_PRIVCMD_DM_OP", IOCTL_PRIVCMD_DM_OP);
  SET(o, "sizeof_ioctl_gntdev_map_grant_ref", sizeof(struct ioctl_gntdev_map_grant_ref));
  SET(o, "offsetof_map_index", offsetof(struct ioctl_gntdev_map_grant_ref, index));
  SET(o, "offsetof_map_refs", offsetof(struct ioctl_gntdev_map_grant_ref, refs));
  SET(o, "sizeof_ioctl_gntdev_unmap_grant_ref", sizeof(struct ioctl_gntdev_unmap_grant_ref));
  SET(o, "sizeof_gntdev_grant_copy_segment", sizeof(struct gntdev_grant_copy_segment));
  SET(o, "offsetof_copy_segment_status", offsetof(struct gntdev_grant_copy_segment, status));
  SET(o, "sizeof_ioctl_gntalloc_alloc_gref", sizeof(struct ioctl_gntalloc_alloc_gref));
  SET(o, "offsetof_alloc_index", offsetof(struct ioctl_gntalloc_alloc_gref, index));
  SET(o, "offsetof_alloc_gref_ids", offsetof(struct ioctl_gntalloc_alloc_gref, gref_ids));
  SET(o, "sizeof_privcmd_dm_op", sizeof(struct privcmd_dm_op));
  SET(o, "sizeof_xen_dm_op", sizeof(struct xen_dm_op));
  SET(o, "offsetof_xen_dm_op_u", offsetof(struct xen_dm_op, u));
  SET(o, "sizeof_map_mem_type_to_ioreq_server", sizeof(struct xen_dm_op_map_mem_type_to_ioreq_server));
  SET(o, "sizeof_create_ioreq_server", sizeof(struct xen_dm_op_create_ioreq_server));
  SET(o, "offsetof_create_ioreq_server_id", offsetof(struct xen_dm_op_create_ioreq_server, id));
  SET(o, "sizeof_set_mem_type", sizeof(struct xen_dm_op_set_mem_type));
  SET(o, "offsetof_set_mem_type_first_pfn", offsetof(struct xen_dm_op_set_mem_type, first_pfn));
  SET(o, "sizeof_evtchn_status", sizeof(struct evtchn_status));
  SET(o, "offsetof_evtchn_status_status", offsetof(struct evtchn_status, status));
  SET(o, "offsetof_evtchn_status_u", offsetof(struct evtchn_status, u));
  SET(o, "offsetof_evtchn_status_interdomain_port", offsetof(struct evtchn_status, u.interdomain.port));
  SET(o, "sizeof_gnttab_query_size", sizeof(struct gnttab_query_size));
  SET(o, "offsetof_query_size_status", offsetof(struct gnttab_query_size, status));
  SET(o, "XEN_DMOP_map_mem_type_to_ioreq_server", XEN_DMOP_map_mem_type_to_ioreq_server);
  SET(o, "HVMMEM_ioreq_server", HVMMEM_ioreq_server);
  SET(o, "__HYPERVISOR_grant_table_op", __HYPERVISOR_grant_table_op);
  SET(o, "__HYPERVISOR_event_channel_op", __HYPERVISOR_event_channel_op);
  SET(o, "__HYPERVISOR_xen_version", __HYPERVISOR_xen_version);
  SET(o, "GNTTABOP_query_size", GNTTABOP_query_size);
  SET(o, "EVTCHNOP_status", EVTCHNOP_status);
  SET(o, "__HYPERVISOR_hvm_op", __HYPERVISOR_hvm_op);
  SET(o, "HVMOP_get_mem_type", HVMOP_get_mem_type);
  SET(o, "sizeof_xen_hvm_get_mem_type", sizeof(struct xen_hvm_get_mem_type));
  SET(o, "offsetof_get_mem_type_pfn", offsetof(struct xen_hvm_get_mem_type, pfn));
  SET(o, "offsetof_evtchn_status_unbound_dom", offsetof(struct evtchn_status, u.unbound.dom));
  SET(o, "offsetof_evtchn_status_virq", offsetof(struct evtchn_status, u.virq));
  return o;
}
