/** The command source files, and each one's id as a user types it ("gnttab map"). */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const commandsDir = fileURLToPath(new URL('../../src/commands', import.meta.url));

export function commandFiles(): { file: string; id: string }[] {
  const out: { file: string; id: string }[] = [];
  (function walk(dir: string) {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.ts')) out.push({ file: p, id: relative(commandsDir, p).replace(/\.ts$/, '').split('/').join(' ') });
    }
  })(commandsDir);
  return out;
}
