// `oclif manifest` loads the commands concurrently and writes them in the order they finish
// loading, which differs from run to run. Sorting the commands makes the generated file
// deterministic, so CI can tell a stale manifest from a reshuffled one.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../oclif.manifest.json', import.meta.url);
const m = JSON.parse(readFileSync(path, 'utf8'));
m.commands = Object.fromEntries(Object.keys(m.commands).sort().map((k) => [k, m.commands[k]]));
writeFileSync(path, `${JSON.stringify(m, null, 2)}\n`);
