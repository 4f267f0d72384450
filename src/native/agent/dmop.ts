/**
 * Device-model operations through IOCTL_PRIVCMD_DM_OP. Xen applies every rule and its errno
 * comes back as is; the agent remembers the servers and claim it made and the pages it typed,
 * for `dmop list`, and asks Xen (HVMOP_get_mem_type) which of those pages still have the type.
 */
import type { BufioreqMode, DmopListing } from '../../backend/types.js';
import { BUFIOREQ_MODES, HVMMEM_TYPES } from '../../xen.js';
import { sys } from '../addon.js';
import {
  CREATE_IOREQ_SERVER, DESTROY_IOREQ_SERVER, DMOP, dmOpBuffer, GET_MEM_TYPE, HVMOP_get_mem_type, HYPERVISOR,
  MAP_MEM_TYPE, SET_MEM_TYPE,
} from '../xen-abi.js';
import type { Devices } from './devices.js';

const IOREQ = 4;

interface Guest { servers: Map<number, BufioreqMode>; claim: { id: number; flags: number } | null; typed: Set<number> }

export class NativeDmop {
  private readonly guests = new Map<number, Guest>();

  constructor(private readonly d: Devices, private readonly domid: number) {}

  private guest(domid: number): Guest {
    let g = this.guests.get(domid);
    if (!g) {
      g = { servers: new Map(), claim: null, typed: new Set() };
      this.guests.set(domid, g);
    }
    return g;
  }

  private dm(op: string, domid: number, buf: Buffer): void {
    sys(op, () => this.d.a.dmOp(this.d.privcmd, domid, buf));
  }

  createIoreqServer(domid: number, bufioreq: BufioreqMode) {
    const buf = dmOpBuffer(DMOP.create_ioreq_server, (b) => b.writeUInt8(BUFIOREQ_MODES.indexOf(bufioreq), CREATE_IOREQ_SERVER.handle_bufioreq));
    this.dm('dmop.create-ioreq-server', domid, buf);
    const id = buf.readUInt16LE(CREATE_IOREQ_SERVER.id);
    this.guest(domid).servers.set(id, bufioreq);
    return { domid, id };
  }

  destroyIoreqServer(domid: number, id: number) {
    this.dm('dmop.destroy-ioreq-server', domid, dmOpBuffer(DMOP.destroy_ioreq_server, (b) => b.writeUInt16LE(id, DESTROY_IOREQ_SERVER.id)));
    const g = this.guest(domid);
    g.servers.delete(id);
    if (g.claim?.id === id) g.claim = null;
    return { domid, id };
  }

  mapMemType(domid: number, id: number, type: number, flags: number) {
    this.dm('dmop.map-mem-type', domid, dmOpBuffer(DMOP.map_mem_type_to_ioreq_server, (b) => {
      b.writeUInt16LE(id, MAP_MEM_TYPE.id);
      b.writeUInt16LE(type, MAP_MEM_TYPE.type);
      b.writeUInt32LE(flags, MAP_MEM_TYPE.flags);
    }));
    this.guest(domid).claim = flags ? { id, flags } : null;
    return { domid, id, type: HVMMEM_TYPES[type] ?? String(type), flags };
  }

  setMemType(domid: number, type: number, firstPfn: number, count: number) {
    const g = this.guest(domid);
    try {
      this.dm('dmop.set-mem-type', domid, dmOpBuffer(DMOP.set_mem_type, (b) => {
        b.writeUInt32LE(count, SET_MEM_TYPE.nr);
        b.writeUInt16LE(type, SET_MEM_TYPE.mem_type);
        b.writeBigUInt64LE(BigInt(firstPfn), SET_MEM_TYPE.first_pfn);
      }));
    } finally {
      // a refusal part way still changed the pages before it; get_mem_type tells which have the type
      if (type === IOREQ) for (let p = firstPfn; p < firstPfn + Math.min(count, 1 << 20); p++) g.typed.add(p);
    }
    return { domid, type: HVMMEM_TYPES[type] ?? String(type), first_pfn: firstPfn, count };
  }

  private memType(domid: number, pfn: number): number {
    const buf = Buffer.alloc(GET_MEM_TYPE.size);
    buf.writeUInt16LE(domid, GET_MEM_TYPE.domid);
    buf.writeBigUInt64LE(BigInt(pfn), GET_MEM_TYPE.pfn);
    sys('dmop.list', () => this.d.a.hypercall(this.d.privcmd, HYPERVISOR.hvm_op, HVMOP_get_mem_type, buf, 0));
    return buf.readUInt16LE(GET_MEM_TYPE.mem_type);
  }

  list(domid: number): DmopListing {
    const g = this.guest(domid);
    for (const pfn of g.typed) if (this.memType(domid, pfn) !== IOREQ) g.typed.delete(pfn);
    return {
      servers: [...g.servers.entries()].sort((a, b) => a[0] - b[0]).map(([id, bufioreq]) => ({ id, owner: this.domid, bufioreq })),
      claim: g.claim,
      ioreq_server_pages: g.typed.size,
    };
  }

  releaseAll(): void {
    for (const [domid, g] of this.guests) {
      for (const id of g.servers.keys()) {
        try { this.destroyIoreqServer(domid, id); } catch { /* the guest may be gone */ }
      }
    }
  }
}
