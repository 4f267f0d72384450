/**
 * Batch lines are split like a shell does. Most lines take a shortcut (split at blanks); for
 * every line it takes, the words must be what the shell parser gives.
 */
import { parse } from 'shell-quote';
import { agentMayRun, readBatchLines, shellWords } from '../../src/cli/batch-lines.js';

// mostly characters the shortcut accepts, with a few a shell treats specially
const ALPHABET = 'Aa0_.,:=/@%+- \t\t  "\'$\\*?#|&;()<>{}[]~!^`';
function randomLine(rand: () => number): string {
  const n = 1 + Math.floor(rand() * 16);
  let s = '';
  for (let k = 0; k < n; k++) {
    const plain = rand() < 0.9;
    s += ALPHABET[Math.floor(rand() * (plain ? 16 : ALPHABET.length))];
  }
  return s.trim();
}

function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

describe('batch line splitting', () => {
  test('every line gives the shell parser\'s words (20,000 generated lines)', () => {
    const rand = seeded(7);
    const env = { HOME: '/root', X: 'a b' };
    let plain = 0;
    for (let i = 0; i < 20000; i++) {
      const line = randomLine(rand);
      if (!line) continue;
      if (/^[A-Za-z0-9_.,:=/@%+ \t-]*$/.test(line)) plain++;
      expect([line, shellWords(line, env)]).toEqual([line, parse(line, (k) => env[k as keyof typeof env] ?? '')]);
    }
    expect(plain).toBeGreaterThan(5000);
  });

  test('quotes, $VAR and operators still go through the shell parser', () => {
    const lines = readBatchLines('gnttab map --domid 0 "8"\n# comment\n\ngnttab write --ref $R --data \'a b\'\nevtchn notify 3 | x\n',
      { R: '12' });
    expect(lines.map((l) => [l.n, l.words instanceof Error ? 'error' : l.words])).toEqual([
      [1, ['gnttab', 'map', '--domid', '0', '8']],
      [4, ['gnttab', 'write', '--ref', '12', '--data', 'a b']],
      [5, 'error'],
    ]);
  });

  test('a repeated line has its first occurrence\'s words; one with an operator is refused at its own line', () => {
    const lines = readBatchLines('gnttab map --domid 0 $R\n  gnttab map --domid 0 $R\nx | y\n\nx | y\ngnttab   map --domid 0 $R\n', { R: '8' });
    expect(lines.map((l) => l.text)).toEqual(['gnttab map --domid 0 $R', 'gnttab map --domid 0 $R', 'x | y', 'x | y',
      'gnttab   map --domid 0 $R']);
    expect(lines[1].words).toBe(lines[0].words);
    expect(lines[0].words).toEqual(['gnttab', 'map', '--domid', '0', '8']);
    // other text, same words: its own array, equal
    expect(lines[4].words).not.toBe(lines[0].words);
    expect(lines[4].words).toEqual(lines[0].words);
    expect([lines[2], lines[3]].map((l) => (l.words as Error).message)).toEqual([
      expect.stringMatching(/^line 3: /), expect.stringMatching(/^line 5: /)]);
  });

  test('a repeated line is checked for the agent like the first: a client-only flag anywhere declines', () => {
    const repeated = Array(50).fill('gnttab map --domid 0 8');
    expect(agentMayRun(readBatchLines(repeated.join('\n')))).toBe(true);
    expect(agentMayRun(readBatchLines([...repeated, 'gnttab map --domid 0 8 --as 1'].join('\n')))).toBe(false);
    expect(agentMayRun(readBatchLines([...repeated, 'gnttab read --index 0 --file x'].join('\n')))).toBe(false);
  });
});
