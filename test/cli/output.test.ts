/** Human output people read: hexdumps, long ref lists summarised, frames in hex (JSON stays whole). */
import { afterAll, describe, expect, it } from '@jest/globals';
import { hexdump, numbers, record } from '../../src/cli/output.js';
import { xgt } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir();
afterAll(() => tmp.cleanup());

describe('human output', () => {
  it('dumps bytes as hexdump -C does, from the offset read', () => {
    expect(hexdump(Buffer.from('hello, dom0!\x00\x01'), 0xffa)).toBe([
      '00000ffa  68 65 6c 6c 6f 2c 20 64  6f 6d 30 21 00 01        |hello, dom0!..|',
      '00001008',
    ].join('\n'));
    expect(hexdump(Buffer.alloc(0))).toBe('00000000');
  });

  it('summarises long lists as runs with a count, keeps short ones whole', () => {
    expect(numbers([8, 9, 10], 'refs')).toBe('8 9 10');
    expect(numbers(Array.from({ length: 5000 }, (_, i) => 8 + i), 'refs')).toBe('8..5007, 5000 refs');
    expect(numbers([1, 2, 3, 7, 9, 10, 11, 12, 20], 'ports')).toBe('1..3 7 9..12 20, 9 ports');
    expect(numbers(Array.from({ length: 20 }, (_, i) => i * 2), 'refs')).toBe('0 2 4 6 8 10 …, 20 refs');
  });

  it('prints frame numbers in hex in records', () => {
    expect(record({ gpfn: 256, mfn: 1048574, count: 16, first_pfn: 16 })).toBe([
      'gpfn                   : 0x100', 'mfn                    : 0xffffe', 'count                  : 16', 'first_pfn              : 0x10',
    ].join('\n'));
  });

  it('gnttab read prints a hexdump unless asked for a format; JSON and unmap keep every ref', async () => {
    const env = { XGT_STATE: tmp.file('out.db') };
    await xgt(['gnttab', 'limit', '--gntalloc', '8192'], env);
    await xgt(['gnttab', 'grant', '--to', '0', '--pages', '5000'], env);
    await xgt(['gnttab', 'write', '--ref', '8', '--offset', '2', '--data', 'hi'], env);
    expect((await xgt(['gnttab', 'read', '--ref', '8', '--length', '4'], env)).stdout)
      .toBe('00000000  00 00 68 69                                       |..hi|\n00000004\n');
    expect((await xgt(['gnttab', 'read', '--ref', '8', '--length', '4', '--format', 'hex'], env)).stdout).toBe('00006869\n');
    const refs = Array.from({ length: 5000 }, (_, i) => String(8 + i));
    const map = await xgt(['gnttab', 'map', '--domid', '0', ...refs], env);
    expect(map.stdout).toMatch(/^refs {19}: 8\.\.5007, 5000 refs$/m);
    const unmap = await xgt(['gnttab', 'unmap', '0', '--json'], env);
    expect(unmap.json.refs).toHaveLength(5000);
  }, 30000);
});
