// Helpers for filling kernel uniforms (the structs themselves are in uniforms.ts) and dispatch grids.
import { KestrelError } from '../core/errors.js';

export const MAX_RANK = 8;

/** Up to MAX_RANK dims or strides for an array<vec4<u32>, 2> field, padded with `fill` (shapes pad with 1). */
export function rankDims(v: readonly number[], fill = 0): number[] {
  if (v.length > MAX_RANK) throw new KestrelError('USAGE', `rank ${v.length} exceeds ${MAX_RANK}`);
  return [...v, ...new Array<number>(MAX_RANK - v.length).fill(fill)];
}

/** Splits a 1-D workgroup count over x and y so neither exceeds the per-dimension limit. */
export function grid1d(workgroups: number, maxPerDim = 65535): [number, number, number] {
  if (workgroups <= maxPerDim) return [Math.max(1, workgroups), 1, 1];
  const y = Math.ceil(workgroups / maxPerDim);
  return [Math.ceil(workgroups / y), y, 1];
}
