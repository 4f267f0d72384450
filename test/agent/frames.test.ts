/**
 * The agent's reply stream (src/native/frames.ts): JSON message lines, and a batch's output as a
 * header line plus that many raw bytes. However the socket cuts it into chunks — inside a
 * header, inside the bytes, several frames at once, a multi-byte character split — the reader
 * hands on the same messages and the same bytes, in order.
 */
import { describe, expect, it } from '@jest/globals';
import { FrameReader, rawHeader, wantsRawOutput, RAW_OUTPUT } from '../../src/native/frames.js';

function stream(): Buffer {
  const out1 = '{"index":0,"domid":0,"refs":[8],"count":1,"readonly":false}\n{"error":{"message":"no ref 8 — gone"}}\n';
  const out2 = '{"port":5}\n';
  return Buffer.from([
    '{"id":1,"ok":{"raw":3}}\n',
    rawHeader(2, Buffer.byteLength(out1)), out1,
    rawHeader(2, Buffer.byteLength(out2)), out2,
    '{"id":2,"ok":{"ran":3,"firstFailure":1}}\n',
  ].join(''));
}

function read(chunks: Buffer[]) {
  const lines: string[] = [];
  const raw: Record<number, Buffer[]> = {};
  const r = new FrameReader({ line: (t) => lines.push(t), raw: (id, b) => { (raw[id] ??= []).push(Buffer.from(b)); } });
  for (const c of chunks) r.push(c);
  return { lines, raw: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Buffer.concat(v).toString('utf8')])) };
}

describe('the agent reply frames', () => {
  const whole = read([stream()]);

  it('separates messages from raw output, a message that merely contains "raw" included', () => {
    expect(whole.lines).toEqual(['{"id":1,"ok":{"raw":3}}', '{"id":2,"ok":{"ran":3,"firstFailure":1}}']);
    expect(whole.raw[2]).toBe('{"index":0,"domid":0,"refs":[8],"count":1,"readonly":false}\n{"error":{"message":"no ref 8 — gone"}}\n{"port":5}\n');
  });

  it('gives the same for every way of cutting the stream in two, and byte by byte', () => {
    const s = stream();
    for (let cut = 0; cut <= s.length; cut++) expect(read([s.subarray(0, cut), s.subarray(cut)])).toEqual(whole);
    expect(read([...s].map((b) => Buffer.from([b])))).toEqual(whole);
  });

  it('is asked for by batch.run’s fourth argument only', () => {
    expect(wantsRawOutput(['text', {}, false, RAW_OUTPUT])).toBe(true);
    expect(wantsRawOutput(['text', {}, false])).toBe(false);
    expect(wantsRawOutput(['text', {}, false, null])).toBe(false);
    expect(wantsRawOutput(['text', {}, false, 'raw'])).toBe(false);
  });
});
