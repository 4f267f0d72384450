/**
 * What a command line means once its flags are read, before anything is done: the backend it
 * goes to, the call it makes there, and how the result is shown. The one way every command runs —
 * from argv, or as a line of `xgt batch` — is: plan, make the call, show the result.
 */
import type { Interfaces } from '@oclif/core';
import type { BackendChoice } from '../backend/select.js';
import type { Backend } from '../backend/types.js';
import { invoke } from '../backend/calls.js';
import type { Call } from '../backend/calls.js';
import { record } from './output.js';
import type { XgtError } from '../errors.js';

/**
 * A command line read by command class C's flags and arguments: what its plan() is made from.
 * (oclif's parser gives more; a command uses these three.)
 */
export type Parsed<C = unknown> = C extends Interfaces.Input<infer F, infer B, infer A>
  ? Pick<Interfaces.ParserOutput<F, B, A>, 'flags' | 'args' | 'argv'> : Pick<Interfaces.ParserOutput, 'flags' | 'args' | 'argv'>;

export interface Plan<R = any> {
  choice: BackendChoice;
  /**
   * The call on the backend interface — or, for a command that is several calls (shbuf, smoke),
   * a procedure over the interface — or, for one that works on no backend (emu housekeeping on
   * the state file, the agent's own commands), the work itself.
   */
  step: Call | { over: (b: Backend) => Promise<R> } | { local: () => Promise<R> };
  /** What --json prints (default: the result). */
  json?(result: R): unknown;
  /** What a person reads (default: the result as key: value lines); raw bytes go out as they are. */
  human?(result: R): string | Uint8Array | undefined;
  /** A result that is a failure all the same (smoke, emu check): shown first, then reported. */
  verdict?(result: R): XgtError | undefined;
}

export const isCall = (s: Plan['step']): s is Call => 'op' in s;

/** Carries out a plan's step; `backend` opens the chosen backend (only a step that needs one calls it). */
export async function perform<R>(plan: Plan<R>, backend: () => Promise<Backend>): Promise<R> {
  const s = plan.step;
  if ('local' in s) return s.local();
  const b = await backend();
  return 'over' in s ? s.over(b) : invoke(b, s) as Promise<R>;
}

/** The result as --json prints it. */
export const jsonOf = <R>(plan: Plan<R>, result: R): unknown => (plan.json ? plan.json(result) : result);

/** The result as a person reads it (undefined: nothing to print). */
export function humanOf<R>(plan: Plan<R>, result: R): string | Uint8Array | undefined {
  if (plan.human) return plan.human(result);
  return result && typeof result === 'object' ? record(result) : undefined;
}
