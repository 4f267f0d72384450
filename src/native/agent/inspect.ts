/**
 * What the hypervisor holds for every domain, read from Xen itself (docs/XEN-RULES.md: seeing
 * other domains): the domains (getdomaininfo), each one's grant table (its frames acquired
 * read-only) and sizes (query_size). Xen shows no domain its own grant table: that view is
 * `undefined` here, and the callers say so.
 */
import { refused } from '../../errors.js';
import type { DomainInfo, DomainType } from '../../backend/types.js';
import { GRANT_ENTRIES_PER_FRAME, GTF_PERMIT_ACCESS, GTF_READONLY, gntstMessage } from '../../xen.js';
import { asRefusal, type RawDomainInfo, sys } from '../addon.js';
import { GNTTABOP_query_size, HYPERVISOR, QUERY_SIZE } from '../xen-abi.js';
import type { Devices } from './devices.js';

const DOMINF = { dying: 1 << 0, hvm_guest: 1 << 1, shutdown: 1 << 2, paused: 1 << 3, blocked: 1 << 4, running: 1 << 5, hap: 1 << 8 };
const XEN_X86_EMU_PIC = 1 << 5; // an HVM guest's emulated platform; a PVH guest has a local APIC only
const GTF_READING = 0x8;
const GTF_WRITING = 0x10;
const ENTRY_SIZE = 8;

/** One entry of a v1 grant table that permits access. */
export interface TableEntry { ref: number; to: number; readonly: boolean; frame: number; in_use: '-' | 'r' | 'rw' }

export class HostView {
  constructor(private readonly d: Devices, private readonly domid: number) {}

  /** Every domain Xen has, in domid order. */
  rawDomains(): RawDomainInfo[] {
    const out: RawDomainInfo[] = [];
    for (let next = 0; ;) {
      let info: RawDomainInfo;
      try {
        info = this.d.a.domainInfo(this.d.privcmd, next);
      } catch (e) {
        if ((e as { errno?: number }).errno === 3) return out; // ESRCH: no domain at or after `next`
        throw asRefusal(e, 'domain.list');
      }
      out.push(info);
      next = info.domid + 1;
    }
  }

  domain(raw: RawDomainInfo, name: string | undefined): DomainInfo {
    const f = raw.flags;
    const type: DomainType = !(f & DOMINF.hvm_guest) ? 'pv' : raw.emulation_flags & XEN_X86_EMU_PIC ? 'hvm' : 'pvh';
    return {
      domid: raw.domid,
      name: name ?? (raw.domid === 0 ? 'Domain-0' : `domain-${raw.domid}`),
      type,
      hap: Boolean(f & DOMINF.hap),
      memory_kb: raw.tot_pages * 4,
      vcpus: raw.max_vcpu_id === 0xffffffff ? 0 : raw.max_vcpu_id + 1,
      state: f & DOMINF.dying ? 'dying' : f & DOMINF.shutdown ? 'shutdown' : f & DOMINF.paused ? 'paused'
        : f & DOMINF.blocked ? 'blocked' : 'running',
    };
  }

  /** GNTTABOP_query_size: the table's frames now and at most. */
  tableSize(domid: number, op: string): { nr_frames: number; max_nr_frames: number } {
    const buf = Buffer.alloc(QUERY_SIZE.size);
    buf.writeUInt16LE(domid, QUERY_SIZE.dom);
    sys(op, () => this.d.a.hypercall(this.d.privcmd, HYPERVISOR.grant_table_op, GNTTABOP_query_size, buf, 1));
    const status = buf.readInt16LE(QUERY_SIZE.status);
    if (status === -2) throw refused('ESRCH', op, `no domain ${domid}`);
    if (status !== 0) throw refused('EINVAL', op, `GNTTABOP_query_size: ${gntstMessage(status)}`, { gntst: status });
    return { nr_frames: buf.readUInt32LE(QUERY_SIZE.nr_frames), max_nr_frames: buf.readUInt32LE(QUERY_SIZE.max_nr_frames) };
  }

  /** The entries of domid's table that permit access, as Xen holds them; undefined for our own. */
  table(domid: number, nrFrames: number, op: string): TableEntry[] | undefined {
    if (domid === this.domid || nrFrames === 0) return domid === this.domid ? undefined : [];
    let frames: Buffer;
    try {
      frames = this.d.a.grantFrames(this.d.privcmd, domid, nrFrames);
    } catch (e) {
      if ((e as { errno?: number }).errno === 1) return undefined; // EPERM: Xen (or XSM) keeps it to itself
      throw asRefusal(e, op);
    }
    const out: TableEntry[] = [];
    for (let ref = 0; ref < nrFrames * GRANT_ENTRIES_PER_FRAME; ref++) {
      const flags = frames.readUInt16LE(ref * ENTRY_SIZE);
      if ((flags & 0x3) !== GTF_PERMIT_ACCESS) continue;
      out.push({
        ref,
        to: frames.readUInt16LE(ref * ENTRY_SIZE + 2),
        readonly: Boolean(flags & GTF_READONLY),
        frame: frames.readUInt32LE(ref * ENTRY_SIZE + 4),
        in_use: flags & GTF_WRITING ? 'rw' : flags & GTF_READING ? 'r' : '-',
      });
    }
    return out;
  }
}
