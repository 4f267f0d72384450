/**
 * The docs travel with the project: the command reference and man page cover every command (CI
 * checks they are fresh), the man page renders cleanly, and every file README points to exists.
 */
import { describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandFiles } from '../helpers/commands.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (f: string) => readFileSync(`${root}${f}`, 'utf8');

describe('the docs in the project', () => {
  it('the reference and the man page have every command, with its JSON result', () => {
    const reference = read('docs/COMMANDS.md');
    const man = read('docs/xgt.1');
    for (const { id } of commandFiles()) {
      const section = reference.split(`### xgt ${id}\n`)[1]?.split('\n### ')[0];
      expect([id, section !== undefined]).toEqual([id, true]);
      expect([id, /Result \(`--json`\): `.+`/.test(section!)]).toEqual([id, true]);
      expect([id, man.includes(`.SS xgt ${id.replace(/-/g, '\\-')}\n`)]).toEqual([id, true]);
    }
  });

  it('the man page renders without a warning', async () => {
    const r = await execa('groff', ['-man', '-Tutf8', '-ww', '-z', `${root}docs/xgt.1`], { reject: false });
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
  });

  it('README points only to files the project has, and the licence is there', () => {
    const links = [...read('README.md').matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]).filter((l) => !/^https?:/.test(l));
    expect(links.length).toBeGreaterThan(3);
    for (const l of links) expect([l, existsSync(`${root}${l}`)]).toEqual([l, true]);
    expect(read('README.md')).not.toMatch(/\.\.\/shared\/(SPEC|XEN-FACTS)/);
    expect(read('LICENSE')).toMatch(/^MIT License/);
    expect(JSON.parse(read('package.json')).license).toBe('MIT');
  });
});
