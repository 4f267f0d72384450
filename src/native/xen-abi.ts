/**
 * Hypercall argument layouts the native backend packs in JavaScript (docs/XEN-RULES.md: event channels, grant table.4, F.1),
 * and the numbers it passes. test/native/layout.test.ts checks every offset and size here
 * against the ones the addon was compiled with.
 */
export const HYPERVISOR = { xen_version: 17, grant_table_op: 20, event_channel_op: 32, hvm_op: 34 } as const;
export const XENVER_version = 0;
export const XENVER_extraversion = 1;
export const GNTTABOP_query_size = 6;
export const EVTCHNOP_status = 5;
export const HVMOP_get_mem_type = 15;

export const QUERY_SIZE = { size: 16, dom: 0, nr_frames: 4, max_nr_frames: 8, status: 12 } as const;
export const EVTCHN_STATUS = { size: 24, dom: 0, port: 4, status: 8, vcpu: 12, u: 16, unbound_dom: 16, interdomain_dom: 16, interdomain_port: 20, virq: 16 } as const;
export const EVTCHNSTAT = ['closed', 'unbound', 'interdomain', 'pirq', 'virq', 'ipi'] as const;
export const GET_MEM_TYPE = { size: 16, domid: 0, mem_type: 2, pfn: 8 } as const;

export const DM_OP = { size: 32, op: 0, pad: 4, u: 8 } as const;
export const DMOP = { create_ioreq_server: 1, destroy_ioreq_server: 6, set_mem_type: 12, map_mem_type_to_ioreq_server: 15 } as const;
export const CREATE_IOREQ_SERVER = { handle_bufioreq: 8, id: 12 } as const;
export const DESTROY_IOREQ_SERVER = { id: 8 } as const;
export const MAP_MEM_TYPE = { id: 8, type: 10, flags: 12, opaque: 16 } as const;
export const SET_MEM_TYPE = { nr: 8, mem_type: 12, first_pfn: 16 } as const;

export function dmOpBuffer(op: number, fill: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(DM_OP.size);
  b.writeUInt32LE(op, DM_OP.op);
  fill(b);
  return b;
}
