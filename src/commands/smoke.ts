import { XgtCommand } from '../cli/base.js';
import { optionalDomidFlag } from '../cli/flags.js';
import { colour, table } from '../cli/output.js';
import { refused } from '../errors.js';
import { smoke, type SmokeReport } from '../smoke.js';
import type { Parsed, Plan } from '../cli/plan.js';

export default class Smoke extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"backend", "domid", "peer", "passed", "checks": [{"name", "ok", "detail"}]} (exit 1 when a check failed)';
  static summary = 'End-to-end self-test of the backend: grant, map, write/read, bind, notify, wait, unmap, ungrant (and dmop/mem)';
  static description = 'Exits 0 only if every check passed. The device-model and memory checks need an HVM guest: --peer names '
    + 'one; on the emulator a temporary guest is created (and destroyed) when --peer is not given.';
  static examples = ['<%= config.bin %> smoke', '<%= config.bin %> smoke --backend native --peer 3'];
  static flags = { peer: optionalDomidFlag('an HVM guest for the dmop and mem checks') };

  plan({ flags }: Parsed<typeof Smoke>): Plan<SmokeReport> {
    return {
      choice: this.choice(flags),
      step: { over: async (b) => {
        let peer = flags.peer ?? null;
        let temporary = false;
        if (peer === null && b.caps.domain_control) {
          peer = (await b.domains.create({
            name: `xgt-smoke-${process.pid}-${Date.now()}`, type: 'hvm', hap: true, memory_kb: 16 * 1024, vcpus: 1,
            max_grant_frames: 64, max_evtchn_port: 1023,
          })).domid;
          temporary = true;
        }
        try {
          return await smoke(b, peer);
        } finally {
          if (temporary && peer !== null) await b.domains.destroy(peer);
        }
      } },
      human: (report) => [
        table(['Check', 'Result', 'Detail'], report.checks.map((c) => [c.name, c.ok ? colour.green('ok') : colour.red('FAIL'), c.detail])),
        report.passed ? colour.green('all checks passed') : colour.red('some checks failed'),
      ].join('\n'),
      verdict: (report) => {
        const first = report.checks.find((c) => !c.ok);
        return first && refused('EIO', this.op, `smoke failed at '${first.name}': ${first.detail}`, { extra: { report } });
      },
    };
  }
}
