import { Flags } from '@oclif/core';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { XgtCommand } from '../../cli/base.js';
import { record } from '../../cli/output.js';
import type { Parsed, Plan } from '../../cli/plan.js';
import { refused, usage } from '../../errors.js';
import { openBackend } from '../../backend/select.js';
import type { Backend } from '../../backend/types.js';
import { type HostSnapshot, writeCapture } from '../../emu/capture.js';
import { removeStateFile, StateStore } from '../../emu/store.js';

interface Captured { path: string; domains: number; grants: number; ports: number }

export default class EmuCapture extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"path", "domains", "grants", "ports"}';
  static summary = 'Write an emulator state file that mirrors the host as Xen shows it now';
  static description = `Reads, through the backend (native on a Xen host), every domain (type, HAP, memory, vCPUs, grant
frames), every grant table Xen shows (each entry's grantee, access and frame, in use or not) and
every domain's event channels, and writes them as an emulated host at --out. On the capture,
xgt --backend emu --state PATH domain list, gnttab list --domid D, evtchn list --domid D and top
answer as the host did. Not carried: page contents (the capture's pages are zeros), the acting
domain's own grants (Xen shows no domain its own table), port limits (xl's 1023 is used) and how
in-use grants were mapped together (each becomes a one-page mapping of its grantee's).`;
  static examples = [
    '<%= config.bin %> emu capture --out host.db',
    '<%= config.bin %> --backend emu --state host.db gnttab list --domid 1',
  ];
  static flags = {
    out: Flags.string({ summary: 'the state file to write', required: true }),
    force: Flags.boolean({ summary: 'replace --out if it exists', default: false }),
  };

  plan({ flags }: Parsed<typeof EmuCapture>): Plan<Captured> {
    if (flags.out.trim() === '') throw usage(this.op, '--out: empty path');
    const out = resolve(flags.out);
    if (flags.state !== undefined && resolve(flags.state) === out) throw usage(this.op, '--out is the state file being captured');
    return {
      choice: this.choice(flags),
      step: { local: async () => {
        if (existsSync(out) && !flags.force) throw refused('EEXIST', this.op, `${out} already exists (use --force to replace it)`);
        const b = await openBackend(this.choice(flags));
        let snap: HostSnapshot;
        try {
          snap = await snapshot(b);
        } finally {
          b.close();
        }
        if (existsSync(out)) removeStateFile(out);
        const st = StateStore.open(out);
        try {
          return { path: out, ...st.tx(() => writeCapture(st, snap)) };
        } finally {
          st.close();
        }
      } },
      human: (c) => `${record(c)}\n(page contents are not copied: the capture's pages are zeros)`,
    };
  }
}

/** The host as the backend shows it: every domain, its grant table where Xen shows it, its ports. */
async function snapshot(b: Backend): Promise<HostSnapshot> {
  const domains: HostSnapshot['domains'] = [];
  for (const info of await b.domains.list()) {
    const l = await b.gnttab.list(info.domid);
    domains.push({
      info,
      nr_grant_frames: l.usage.nr_frames,
      max_grant_frames: l.usage.max_nr_frames,
      grants: info.domid === b.domid || l.note !== null ? undefined : l.granted,
      ports: (await b.evtchn.list(info.domid)).ports,
    });
  }
  return { domains };
}
