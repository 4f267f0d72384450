/**
 * The addon is the only code that knows ioctl numbers and structure layouts; this checks what it
 * was compiled with against XEN-FACTS.md (A.1, B, C.1, C.2, D.4, F.1, F.5) and against the
 * offsets the JavaScript side packs hypercall arguments with. Skipped (and says so) when the
 * addon is not built; CI builds it.
 */
import { describe, expect, it } from '@jest/globals';
import { addonBuilt, loadAddon } from '../../src/native/addon.js';
import * as abi from '../../src/native/xen-abi.js';

const built = addonBuilt();
if (!built) process.stderr.write('Skip: the native addon is not built (npm run build:native)\n');

(built ? describe : describe.skip)('the native addon', () => {
  const l = built ? loadAddon().layout() : {};

  it('has the ioctl numbers of XEN-FACTS', () => {
    expect(l).toMatchObject({
      IOCTL_GNTDEV_MAP_GRANT_REF: 0x00184700, IOCTL_GNTDEV_UNMAP_GRANT_REF: 0x00104701, IOCTL_GNTDEV_GRANT_COPY: 0x00104708,
      IOCTL_GNTALLOC_ALLOC_GREF: 0x00184705, IOCTL_GNTALLOC_DEALLOC_GREF: 0x00104706,
      IOCTL_EVTCHN_BIND_VIRQ: 0x00044500, IOCTL_EVTCHN_BIND_INTERDOMAIN: 0x00084501, IOCTL_EVTCHN_BIND_UNBOUND_PORT: 0x00044502,
      IOCTL_EVTCHN_UNBIND: 0x00044503, IOCTL_EVTCHN_NOTIFY: 0x00044504,
      IOCTL_PRIVCMD_HYPERCALL: 0x00305000, IOCTL_PRIVCMD_DM_OP: 0x00105005,
    });
  });

  it('has the device structure layouts of XEN-FACTS', () => {
    expect(l).toMatchObject({
      sizeof_ioctl_gntdev_map_grant_ref: 24, offsetof_map_index: 8, offsetof_map_refs: 16,
      sizeof_ioctl_gntdev_unmap_grant_ref: 16, sizeof_gntdev_grant_copy_segment: 24, offsetof_copy_segment_status: 20,
      sizeof_ioctl_gntalloc_alloc_gref: 24, offsetof_alloc_index: 8, offsetof_alloc_gref_ids: 16,
      sizeof_privcmd_dm_op: 16,
    });
  });

  it('packs hypercall arguments at the offsets Xen\'s headers give', () => {
    expect({
      sizeof_xen_dm_op: abi.DM_OP.size, offsetof_xen_dm_op_u: abi.DM_OP.u,
      sizeof_map_mem_type_to_ioreq_server: 16, offsetof_create_ioreq_server_id: abi.CREATE_IOREQ_SERVER.id - abi.DM_OP.u,
      sizeof_create_ioreq_server: 6, sizeof_set_mem_type: 16, offsetof_set_mem_type_first_pfn: abi.SET_MEM_TYPE.first_pfn - abi.DM_OP.u,
      sizeof_evtchn_status: abi.EVTCHN_STATUS.size, offsetof_evtchn_status_status: abi.EVTCHN_STATUS.status,
      offsetof_evtchn_status_u: abi.EVTCHN_STATUS.u, offsetof_evtchn_status_interdomain_port: abi.EVTCHN_STATUS.interdomain_port,
      offsetof_evtchn_status_unbound_dom: abi.EVTCHN_STATUS.unbound_dom, offsetof_evtchn_status_virq: abi.EVTCHN_STATUS.virq,
      sizeof_gnttab_query_size: abi.QUERY_SIZE.size, offsetof_query_size_status: abi.QUERY_SIZE.status,
      sizeof_xen_hvm_get_mem_type: abi.GET_MEM_TYPE.size, offsetof_get_mem_type_pfn: abi.GET_MEM_TYPE.pfn,
    }).toEqual(Object.fromEntries(Object.keys({
      sizeof_xen_dm_op: 0, offsetof_xen_dm_op_u: 0, sizeof_map_mem_type_to_ioreq_server: 0, offsetof_create_ioreq_server_id: 0,
      sizeof_create_ioreq_server: 0, sizeof_set_mem_type: 0, offsetof_set_mem_type_first_pfn: 0, sizeof_evtchn_status: 0,
      offsetof_evtchn_status_status: 0, offsetof_evtchn_status_u: 0, offsetof_evtchn_status_interdomain_port: 0,
      offsetof_evtchn_status_unbound_dom: 0, offsetof_evtchn_status_virq: 0, sizeof_gnttab_query_size: 0,
      offsetof_query_size_status: 0, sizeof_xen_hvm_get_mem_type: 0, offsetof_get_mem_type_pfn: 0,
    }).map((k) => [k, l[k]])));
  });

  it('uses the operation numbers of XEN-FACTS', () => {
    expect(l).toMatchObject({
      XEN_DMOP_map_mem_type_to_ioreq_server: abi.DMOP.map_mem_type_to_ioreq_server, HVMMEM_ioreq_server: 4,
      __HYPERVISOR_grant_table_op: abi.HYPERVISOR.grant_table_op, __HYPERVISOR_event_channel_op: abi.HYPERVISOR.event_channel_op,
      __HYPERVISOR_xen_version: abi.HYPERVISOR.xen_version, __HYPERVISOR_hvm_op: abi.HYPERVISOR.hvm_op,
      GNTTABOP_query_size: abi.GNTTABOP_query_size, EVTCHNOP_status: abi.EVTCHNOP_status, HVMOP_get_mem_type: abi.HVMOP_get_mem_type,
    });
  });
});
