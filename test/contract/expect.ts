import { expect } from '@jest/globals';
import { XgtError } from '../../src/errors.js';

/** Awaits a refusal and checks its errno name (and GNTST code when given). */
export async function expectRefused(p: Promise<unknown>, code: string, gntst?: number): Promise<XgtError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(XgtError);
  const x = err as XgtError;
  expect({ kind: x.kind, code: x.code }).toEqual({ kind: 'refused', code });
  if (gntst !== undefined) {
    expect(x.gntst).toBe(gntst);
    expect(x.toJSON().gntst_name).toBeDefined();
  }
  return x;
}

/** Runs `fn`, which must be refused with `code`, and checks that the snapshot did not change. */
export async function expectRefusedUnchanged(snapshot: () => Promise<unknown>, fn: () => Promise<unknown>,
  code: string, gntst?: number): Promise<XgtError> {
  const before = await snapshot();
  const e = await expectRefused(fn(), code, gntst);
  expect(await snapshot()).toEqual(before);
  return e;
}
