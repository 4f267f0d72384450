/** The agent's batch hands results to commands as its socket would: asJson must be JSON's round trip. */
import { asJson } from '../../src/native/agent/as-json.js';

const viaJson = (v: unknown) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown;

describe('asJson', () => {
  const cases: [string, unknown][] = [
    ['a map result', { index: 4096, domid: 0, refs: [8, 9], count: 2, readonly: false }],
    ['undefined members and array holes', { a: undefined, b: [1, undefined, , () => 1, Symbol('s')], c: () => 2 }], // eslint-disable-line no-sparse-arrays
    ['odd numbers', [NaN, Infinity, -Infinity, -0, 1e300, 0.5]],
    ['a Buffer and a Date', { b: Buffer.from('hi'), d: new Date(0) }],
    ['toJSON', { x: { toJSON: () => 'X' } }],
    ['a class instance', new (class P { q = 1; r = undefined; })()],
    ['an own __proto__', JSON.parse('{"__proto__": {"x": 1}, "y": 2}')],
    ['null prototype', Object.assign(Object.create(null), { z: 1 })],
    ['nested', { usage: { domid: 0, list: [{ in_use: '-', ref: 8 }], none: null }, text: 'é\n' }],
  ];
  test.each(cases)('%s', (_name, v) => {
    const got = asJson(v);
    expect(got).toStrictEqual(viaJson(v));
    expect(JSON.stringify(got)).toBe(JSON.stringify(viaJson(v)));
  });

  test('the copy shares nothing with the original', () => {
    const v = { refs: [1, 2], inner: { a: 1 } };
    const got = asJson(v) as typeof v;
    got.refs.push(3);
    got.inner.a = 2;
    expect(v).toEqual({ refs: [1, 2], inner: { a: 1 } });
  });

  test('an own __proto__ stays a property, not a prototype', () => {
    const got = asJson(JSON.parse('{"__proto__": {"x": 1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(Object.keys(got)).toEqual(['__proto__']);
  });
});
