/**
 * Comparing a replayed command with its trace (`xgt replay`, docs/CONTRACT.md): numbers a backend
 * hands out — grant refs, gntalloc and gntdev indices, ports, domain ids, ioreq server ids — need
 * not be equal on both sides, only consistent. The first time the replay gives another number
 * than the trace recorded, the two are paired; later arguments are rewritten through the pairing
 * and later outputs read through it. A pairing that contradicts itself is a divergence.
 *
 * Refs, indices and ports are each domain's own (dom0's port 18 is not a guest's port 18), so a
 * pairing names the domain a number belongs to — by its traced id.
 */

type Kind = 'ref' | 'grant-index' | 'map-index' | 'port' | 'domid' | 'id';

export class Pairing {
  private readonly forward = new Map<string, number>();
  private readonly backward = new Map<string, number>();

  /** The replay's number for a traced one of `owner`'s (itself when not paired yet). */
  get(kind: Kind, owner: number, traced: number): number {
    return this.forward.get(key(kind, owner, traced)) ?? traced;
  }

  /** Pairs `traced` with `got`; false when either is already paired with another number. */
  pair(kind: Kind, owner: number, traced: number, got: number): boolean {
    const f = this.forward.get(key(kind, owner, traced));
    const b = this.backward.get(key(kind, owner, got));
    if (f !== undefined || b !== undefined) return f === got && b === traced;
    this.forward.set(key(kind, owner, traced), got);
    this.backward.set(key(kind, owner, got), traced);
    return true;
  }

  /** The pairs whose numbers differ: "kind of domain D" → {traced: replayed}, what the report shows. */
  differing(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [k, got] of this.forward) {
      const [what, traced] = k.split(':');
      if (Number(traced) !== got) (out[what] ??= {})[traced] = got;
    }
    return out;
  }

  /** A traced command line, acting as `as`, with its handed-out numbers as the replay knows them. */
  rewrite(argv: readonly string[], as: number): string[] {
    // the command's own words come first: lower-case words, never numbers
    let start = 0;
    while (start < argv.length && /^[a-z][a-z-]*$/.test(argv[start])) start++;
    const command = argv.slice(0, start).join(' ');
    const flagValue = (name: string) => {
      const i = argv.findIndex((w) => w === name || w.startsWith(`${name}=`));
      if (i < 0) return undefined;
      const v = argv[i].includes('=') ? argv[i].slice(name.length + 1) : argv[i + 1];
      return /^\d+$/.test(v ?? '') ? Number(v) : undefined;
    };
    // whose number an argument is: the acting domain's, or the one another flag names
    const peer = flagValue('--domid') ?? flagValue('--remote') ?? as;
    const flagKind: Record<string, [Kind, number]> = {
      '--ref': ['ref', as], '--from-ref': ['ref', peer], '--to-ref': ['ref', peer],
      '--dir-ref': ['ref', command === 'shbuf map' ? peer : as],
      '--index': ['map-index', as], '--mapping': ['map-index', as],
      '--remote-port': ['port', flagValue('--remote') ?? as],
      '--domid': ['domid', 0], '--to': ['domid', 0], '--remote': ['domid', 0], '--peer': ['domid', 0], '--dm-target': ['domid', 0],
      '--id': ['id', peer],
    };
    const positional: Record<string, [Kind, number]> = {
      'gnttab map': ['ref', peer], 'gnttab unmap': ['map-index', as], 'gnttab ungrant': ['grant-index', as],
      'evtchn notify': ['port', as], 'evtchn unbind': ['port', as], 'evtchn wait': ['port', as], 'domain destroy': ['domid', 0],
    };
    const out = argv.slice(0, start);
    for (let i = start; i < argv.length; i++) {
      const w = argv[i];
      if (!w.startsWith('--')) {
        out.push(positional[command] ? this.number(positional[command], w) : w);
        continue;
      }
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      const kind = flagKind[name];
      if (eq >= 0) out.push(kind ? `${name}=${this.number(kind, w.slice(eq + 1))}` : w);
      else if (BOOLEAN_FLAGS.has(name) || i + 1 === argv.length) out.push(w);
      else out.push(w, kind ? this.number(kind, argv[++i]) : argv[++i]);
    }
    return out;
  }

  private number([kind, owner]: [Kind, number], text: string): string {
    return /^\d+$/.test(text) ? String(this.get(kind, owner, Number(text))) : text;
  }
}

const key = (kind: Kind, owner: number, n: number) => `${kind} of domain ${kind === 'domid' ? 'any' : owner}:${n}`;

/** Flags that take no value: the word after one is the command's own. */
const BOOLEAN_FLAGS = new Set(['--readonly', '--json', '--keep-going', '--force', '--be-alloc', '--no-hap', '--unbound', '--interdomain']);

/**
 * Whether a replayed output is the traced one read through the pairing (pairing numbers met for
 * the first time): the path of the first difference, or undefined when they agree. `command` and
 * `as` say whose numbers the output's fields are.
 */
export function differs(expected: unknown, got: unknown, p: Pairing, argv: readonly string[], as: number): string | undefined {
  const command = argv.filter((w) => /^[a-z][a-z-]*$/.test(w)).slice(0, 2).join(' ');
  // a listing's numbers are the listed domain's
  const i = argv.indexOf('--domid');
  const owner = command.endsWith(' list') && i >= 0 && /^\d+$/.test(argv[i + 1] ?? '') ? Number(argv[i + 1]) : as;
  return walk(expected, got, p, { command, owner, key: '', path: '' });
}

interface Where { command: string; owner: number; key: string; path: string }

/** The kind of a number by its key, and whose it is, in the output of `command`. */
function kindOf(w: Where, parent: Record<string, unknown> | undefined): [Kind, number] | undefined {
  const domidField = typeof parent?.domid === 'number' ? parent.domid : undefined;
  // top's rows count things; only their domain ids and highest ports are numbers handed out
  if (w.command === 'top') return w.key === 'domid' ? ['domid', 0] : w.key === 'max_port' ? ['port', domidField ?? w.owner] : undefined;
  switch (w.key) {
    case 'ref': case 'refs': case 'dir_ref': case 'dir_refs':
      // a grant's or a mapping's refs are its granter's (the domid field); a listing's, the listed domain's
      return ['ref', domidField ?? w.owner];
    case 'deferred': return ['ref', w.owner];
    case 'index':
      return [w.command === 'gnttab grant' || w.command === 'gnttab ungrant' || w.path.startsWith('granted') ? 'grant-index' : 'map-index', w.owner];
    case 'port': case 'ports': case 'max_port': return ['port', w.owner];
    case 'remote_port': return ['port', typeof parent?.remote_domid === 'number' ? parent.remote_domid : w.owner];
    case 'domid': case 'to': case 'remote_domid': case 'owner': return ['domid', 0];
    case 'id': return w.command.startsWith('dmop') ? ['id', domidField ?? w.owner] : undefined;
    default: return undefined;
  }
}

function walk(expected: unknown, got: unknown, p: Pairing, w: Where, parent?: Record<string, unknown>): string | undefined {
  const here = w.path || w.key;
  if (typeof expected === 'number' && typeof got === 'number') {
    const kind = kindOf(w, parent);
    if (kind) return p.pair(kind[0], kind[1], expected, got) ? undefined : here;
    return expected === got ? undefined : here;
  }
  if (Array.isArray(expected) || Array.isArray(got)) {
    if (!Array.isArray(expected) || !Array.isArray(got) || expected.length !== got.length) return here;
    for (let i = 0; i < expected.length; i++) {
      const d = walk(expected[i], got[i], p, { ...w, path: `${here}[${i}]` }, parent);
      if (d) return d;
    }
    return undefined;
  }
  if (expected && got && typeof expected === 'object' && typeof got === 'object') {
    const e = expected as Record<string, unknown>;
    const g = got as Record<string, unknown>;
    // a listing of another domain's grants and ports: its numbers are that domain's
    const owner = w.path === '' && typeof (e.usage as { domid?: unknown } | undefined)?.domid === 'number'
      ? (e.usage as { domid: number }).domid : w.owner;
    for (const k of new Set([...Object.keys(e), ...Object.keys(g)])) {
      // what an error says in prose is no part of the contract: its code and status are
      if (k === 'message' || k === 'errno' || k === 'gntst_name') continue;
      const d = walk(e[k], g[k], p, { command: w.command, owner, key: k, path: w.path ? `${w.path}.${k}` : k }, e);
      if (d) return d;
    }
    return undefined;
  }
  return expected === got ? undefined : here;
}
