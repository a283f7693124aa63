// Every bench case, in report order.
import { CONV_CASES } from './conv.js';
import { MATMUL_CASES } from './matmul.js';
import { OTHER_CASES } from './other.js';
import type { KernelCase } from './types.js';

export const ALL_CASES: KernelCase[] = [...MATMUL_CASES, ...CONV_CASES, ...OTHER_CASES];

export function selectCases(opts: { quick?: boolean; only?: string[] }): KernelCase[] {
  return ALL_CASES.filter(
    (c) =>
      (!opts.quick || c.quick) && (!opts.only?.length || opts.only.some((o) => c.id.startsWith(o) || c.family === o)),
  );
}
