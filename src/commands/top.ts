import { isatty } from 'node:tty';
import { XgtCommand } from '../cli/base.js';
import { uintFlag } from '../cli/flags.js';
import { table } from '../cli/output.js';
import { writeOut } from '../cli/stdio.js';
import { call, invoke } from '../backend/calls.js';
import type { Parsed, Plan } from '../cli/plan.js';
import type { Backend, DomainUsage } from '../backend/types.js';

export default class Top extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"domains": [{"domid", "name", "type", "grant_frames", "max_grant_frames", "grants": N | null, "grants_mapped": N | null, "maps", "ports", "max_port": P | null}]}';
  static summary = "Every domain's grant and event-channel use, like xentop";
  static description = `One row per domain: grant-table frames used and allowed, the entries of its table that permit
access, how many of those the grantee has in use, the refs of other domains it has in use,
its open event channels and the highest of their ports. Read from Xen natively, from the state
file on the emulator. Xen shows no domain its own grant table: the acting domain's Grants and
Mapped are "?" (null in JSON). On a terminal the table refreshes every --delay seconds until
interrupted or --iterations are done; otherwise, and with --json, one snapshot is printed.`;
  static examples = ['<%= config.bin %> top', '<%= config.bin %> top --delay 1 --iterations 5', '<%= config.bin %> top --json'];
  static flags = {
    delay: uintFlag('delay', 'seconds between refreshes (default 2)', 3600, 1)({ default: 2 }),
    iterations: uintFlag('iterations', 'refreshes before exiting (default: until interrupted)', Number.MAX_SAFE_INTEGER, 1)(),
  };

  plan({ flags }: Parsed<typeof Top>): Plan<DomainUsage[]> {
    const choice = this.choice(flags);
    if (flags.json || !isatty(1)) {
      return { choice, step: call('domains.usage'), json: (domains) => ({ domains }), human: render };
    }
    return {
      choice,
      step: { over: (b) => refresh(b, flags.delay * 1000, flags.iterations ?? Infinity) },
      human: () => undefined,
    };
  }
}

async function refresh(b: Backend, delayMs: number, iterations: number): Promise<DomainUsage[]> {
  let rows: DomainUsage[] = [];
  for (let i = 0; i < iterations; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, delayMs));
    rows = await invoke(b, call('domains.usage'));
    writeOut(`\x1b[H\x1b[2J${new Date().toTimeString().slice(0, 8)}  ${rows.length} domain(s)\n${render(rows)}\n`);
  }
  return rows;
}

function render(rows: DomainUsage[]): string {
  const q = (v: number | null) => (v === null ? '?' : v);
  return table(['ID', 'Name', 'Type', 'Frames', 'Max frames', 'Grants', 'Mapped', 'Maps', 'Ports', 'Max port'],
    rows.map((d) => [d.domid, d.name, d.type, d.grant_frames, d.max_grant_frames, q(d.grants), q(d.grants_mapped), d.maps, d.ports,
      d.max_port === null ? '-' : d.max_port]),
    ['right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
}
