// Makes one backend's scenario output comparable with the other's: error messages (prose) are
// dropped, and numbers that name things each host picks itself (guest domids, ports, grant refs)
// are replaced by the order they first appear in.
import { createInterface } from 'node:readline';

const names = new Map();
const name = (kind, v) => {
  const key = `${kind}:${v}`;
  if (!names.has(key)) names.set(key, `${kind}${[...names.keys()].filter((k) => k.startsWith(`${kind}:`)).length + 1}`);
  return names.get(key);
};
const guest = { id: null };
const PORT_KEYS = new Set(['port', 'remote_port', 'ports']);
const DOM_KEYS = new Set(['domid', 'to', 'remote_domid']);
const REF_KEYS = new Set(['ref', 'refs', 'deferred', 'dir_ref', 'dir_refs']);
// a grant table only ever grows: its size says how busy the host has been, not what the script did
const HISTORY_KEYS = new Set(['nr_frames']);

function walk(v, key) {
  if (Array.isArray(v)) return v.length > 16 ? `[${v.length} refs]` : v.map((x) => walk(x, key));
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'message') out[k] = walk(x, k);
    return out;
  }
  if (typeof v === 'number' && PORT_KEYS.has(key)) return name('port', v);
  if (typeof v === 'number' && REF_KEYS.has(key)) return name('ref', v);
  if (typeof v === 'number' && HISTORY_KEYS.has(key)) return 'host-dependent';
  if (typeof v === 'number' && DOM_KEYS.has(key) && v === guest.id) return 'G';
  return v;
}

for await (const line of createInterface({ input: process.stdin })) {
  const g = /^guest (\d+)$/.exec(line);
  if (g) { guest.id = Number(g[1]); console.log('guest G'); continue; }
  try {
    console.log(JSON.stringify(walk(JSON.parse(line))));
  } catch {
    console.log(line.replace(new RegExp(`\\b${guest.id}\\b`, 'g'), 'G'));
  }
}
