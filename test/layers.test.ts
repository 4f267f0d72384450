/**
 * src/ keeps its layers (.dependency-cruiser.cjs): imports only point down — commands → cli →
 * backend → emu | native → core — and none go in a circle. The same rules run on a small fixture
 * that breaks them, so that a rule that stopped matching would show.
 */
import { describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../node_modules/dependency-cruiser/bin/dependency-cruise.mjs', import.meta.url));

async function violations(cwd: string): Promise<string[]> {
  const r = await execa(process.execPath, [bin, 'src', '--config', `${root}.dependency-cruiser.cjs`, '--output-type', 'json'],
    { cwd, reject: false });
  const out = JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('the layers of src/', () => {
  it('only point down, and nothing imports in a circle', async () => {
    expect(await violations(root)).toEqual([]);
  }, 60000);

  it('are checked by rules that do catch an upward import and a circle (a fixture that has both)', async () => {
    expect(await violations(`${root}test/fixtures/layers`)).toEqual([
      'emu-points-down: src/emu/a.ts -> src/cli/show.ts',
      'no-circular: src/emu/a.ts -> src/emu/b.ts',
    ]);
  }, 60000);
});
