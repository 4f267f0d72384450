/**
 * What a value becomes on the agent's socket — JSON.parse(JSON.stringify(v)) — without the text
 * in between, for the plain data operations return (a batch line in the agent would otherwise
 * spend a sixth of its time printing and re-reading its own result). Anything that is not plain
 * data (Buffers, class instances, toJSON) takes the long way, so the answer is always JSON's.
 */
const dropped = (x: unknown) => x === undefined || typeof x === 'function' || typeof x === 'symbol';

export function asJson(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : null;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = dropped(v[i]) ? null : asJson(v[i]);
    return out;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && !('toJSON' in v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      // an own "__proto__" (JSON.parse makes one) would set the copy's prototype
      if (k === '__proto__') return JSON.parse(JSON.stringify(v)) as unknown;
      const x = (v as Record<string, unknown>)[k];
      if (!dropped(x)) out[k] = asJson(x);
    }
    return out;
  }
  return JSON.parse(JSON.stringify(v)) as unknown;
}
