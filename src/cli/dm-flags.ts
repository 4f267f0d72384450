/** Flags of the dmop and mem commands. */
import { Flags } from '@oclif/core';
import { HVMMEM_TYPES } from '../backend/types.js';
import { uintFlag } from './flags.js';
import { U16_MAX } from './numbers.js';

export const serverIdFlag = uintFlag('id', 'ioreq server id', U16_MAX);

/** hvmmem types by name, as Xen numbers them (HVMMEM_ioreq_server is 4). */
export const memTypeFlag = (summary: string, options: readonly string[] = HVMMEM_TYPES) =>
  Flags.option({ options: options as string[], summary });

export function memTypeNumber(name: string): number {
  return (HVMMEM_TYPES as readonly string[]).indexOf(name);
}
