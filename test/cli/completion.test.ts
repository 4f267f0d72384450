/**
 * `xgt completion bash|zsh`: the scripts load in their shell and complete commands, flags and the
 * values of flags that take one of a set — run here through the completion function itself, as
 * bash's `complete -F` (and zsh's bashcompinit) call it. CI installs zsh (.ci/run).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { xgt } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());

/** What completing each line (its last word being completed) offers, in `shell`. */
async function complete(shell: 'bash' | 'zsh', lines: string[][]): Promise<string[]> {
  const script = tmp.file(`xgt.${shell}`);
  writeFileSync(script, (await xgt(['completion', shell])).stdout);
  const calls = lines.map((words) => `t ${words.map((w) => `'${w}'`).join(' ')}`).join('\n');
  const driver = `source ${script}
t() { COMP_WORDS=("$@"); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _xgt_complete; echo "\${COMPREPLY[*]}"; }
${shell === 'zsh' ? 'print -r -- "registered: ${_comps[xgt]}"' : 'echo "registered: $(complete -p xgt)"'}
${calls}
`;
  const r = await execa(shell, shell === 'zsh' ? ['-f', '-c', driver] : ['--norc', '-c', driver], { reject: false });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n');
}

const LINES = [['xgt', 'gnttab', 'm'], ['xgt', 'gn'], ['xgt', 'gnttab', 'read', '--fo'], ['xgt', 'gnttab', 'read', '--format', ''],
  ['xgt', '--as', '1', 'gnttab', 'map', '--domid', '0', '--r'], ['xgt', '--backend', 'e'], ['xgt', 'dmop', 'set-mem-type', '--type', 'i'],
  ['xgt', 'help', 'ev']];
const OFFERED = ['map', 'gnttab', '--format', 'hex base64 raw', '--readonly', 'emu', 'ioreq_server', 'evtchn'];

describe('shell completion', () => {
  it('bash: commands, flags after global flags and values, enum values', async () => {
    const out = await complete('bash', LINES);
    expect(out[0]).toMatch(/^registered: complete -o default -F _xgt_complete xgt$/);
    expect(out.slice(1, 1 + LINES.length)).toEqual(OFFERED);
  });

  it('zsh (through bashcompinit): the same', async () => {
    if ((await execa('zsh', ['--version'], { reject: false })).failed) {
      console.warn('zsh is not installed here: its completion is not checked (CI installs it)');
      return;
    }
    const out = await complete('zsh', LINES);
    expect(out[0]).toBe('registered: _bash_complete -o default -F _xgt_complete');
    expect(out.slice(1, 1 + LINES.length)).toEqual(OFFERED);
  });
});
