import { XgtCommand } from '../../cli/base.js';
import { optionalDomidFlag } from '../../cli/flags.js';
import { colour, hex, numbers, table } from '../../cli/output.js';
import type { GnttabListing } from '../../backend/types.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class GnttabList extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"granted": [{"index": I | null, "ref", "to", "readonly", "in_use": "-" | "r" | "rw" | null, "frame": F | null}], "mapped": [{"index": I | null, "domid", "refs", "readonly"}], "usage": {"domid", "nr_frames", "max_nr_frames", "maptrack_used", "maptrack_max", "gntalloc_used", "gntalloc_limit"}, "note": "what this view cannot show" | null}';
  static summary = "Show a domain's grants, what it maps and its grant-table usage, as Xen holds them";
  static description = `Another domain's table is read from Xen itself: every entry that permits access, whoever made it,
with in_use from Xen's reading/writing flags and the frame it grants; index is the gntalloc run
when xgt made the grant, else -. Xen shows no domain its own table: there, only the grants xgt
made are listed, in_use only where the domain maps its own grant (else ?), and the output says so.`;
  static examples = ['<%= config.bin %> gnttab list', '<%= config.bin %> gnttab list --domid 1 --json'];
  static flags = { domid: optionalDomidFlag('whose grant table (default: the acting domain)') };

  plan({ flags }: Parsed<typeof GnttabList>): Plan<GnttabListing> {
    return { choice: this.choice(flags), step: call('gnttab.list', flags.domid), human: render };
  }
}

function render(l: GnttabListing): string {
  const u = l.usage;
  return [
    `domid=${u.domid}: nr_frames=${u.nr_frames}, max_nr_frames=${u.max_nr_frames}, ` +
      `maptrack ${u.maptrack_used}/${u.maptrack_max}, gntalloc ${u.gntalloc_used}/${u.gntalloc_limit}`,
    colour.bold('granted'),
    l.granted.length
      ? table(['Index', 'Ref', 'Granted to', 'Access', 'In use', 'Frame'],
        l.granted.map((g) => [g.index ?? '-', g.ref, g.to, g.readonly ? 'read-only' : 'read-write', g.in_use ?? '?',
          g.frame === null ? '?' : hex(g.frame)]), ['right', 'right', 'right', 'left', 'left', 'right'])
      : '  (none)',
    colour.bold('mapped'),
    l.mapped.length
      ? table(['Index', 'Granted by', 'Refs', 'Access'],
        l.mapped.map((m) => [m.index ?? '-', m.domid, numbers(m.refs, 'refs'), m.readonly ? 'read-only' : 'read-write']), ['right', 'right'])
      : '  (none)',
    ...(l.note ? [`note: ${l.note}`] : []),
  ].join('\n');
}
