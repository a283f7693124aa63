// Shared test helpers: seeded random data and error metrics.
import type { HostTensor } from '../src/core/tensor.js';
import type { Graph, Node, NodeBase, Value, WithAttrs } from '../src/ir/graph.js';
import { sizeOf } from '../src/core/shape.js';
import { f16ToF32, f32ToF16 } from '../src/core/dtype.js';

export { rng } from '../src/quant/text-pages.js';
import { rng } from '../src/quant/text-pages.js';

export function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): HostTensor {
  const r = rng(seed);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * r();
  return { dtype: 'f32', shape: [...shape], data };
}

export function relL2(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Number(actual[i]) - Number(expected[i]);
    num += d * d;
    den += Number(expected[i]) * Number(expected[i]);
  }
  if (den === 0) return Math.sqrt(num);
  return Math.sqrt(num / den);
}

export function maxAbs(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(Number(actual[i]) - Number(expected[i])));
  return m;
}

/** Counts NaNs: the harness poisons outputs with NaN, so any unwritten element shows up here. */
export function countNaN(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) n++;
  return n;
}

/** An f32 tensor rounded to f16 (raw bits), for the f16 kernel variants. */
export function toHalf(t: HostTensor): HostTensor {
  return { dtype: 'f16', shape: [...t.shape], data: Uint16Array.from(t.data as Float32Array, (v) => f32ToF16(v)) };
}

/** The values of an f16 (or f32) tensor as f32. */
export function halfValues(t: HostTensor): Float32Array {
  return t.dtype === 'f16'
    ? Float32Array.from(t.data as Uint16Array, f16ToF32)
    : Float32Array.from(t.data as Float32Array);
}

/** The f32 tensor holding exactly the f16-rounded values (the CPU reference's input for an f16 case). */
export function halfRounded(t: HostTensor): HostTensor {
  return { dtype: 'f32', shape: [...t.shape], data: halfValues(toHalf(t)) };
}

/**
 * Weights in [-1, 1) as int8 (q = round(127 w)) with random per-channel scales in [0.002, 0.02) drawn from
 * `seed`; `channelOf(i)` is element i's output channel. Returns the int8 tensor, the scales, and the
 * dequantized weights q * s that a CPU reference computes with (dequantize-folding kernel tests).
 */
export function int8Weights(
  w: HostTensor,
  channels: number,
  channelOf: (i: number) => number,
  seed: number,
): { q: HostTensor; scale: HostTensor; dequantized: HostTensor } {
  const q = Int8Array.from(w.data as Float32Array, (v) => Math.round(v * 127));
  const scale = randomTensor([channels], seed, 0.002, 0.02);
  const s = scale.data as Float32Array;
  return {
    q: { dtype: 'i8', shape: w.shape, data: q },
    scale,
    dequantized: { dtype: 'f32', shape: w.shape, data: Float32Array.from(q, (v, i) => v * s[channelOf(i)]) },
  };
}

/** A hand-built IR graph for pass tests (each node's origin is its own name). */
export function irGraph(
  values: Value[],
  nodes: WithAttrs<Omit<NodeBase, 'origin'>>[],
  inputs: string[],
  outputs: string[],
): Graph {
  return {
    values: new Map(values.map((v) => [v.name, v])),
    nodes: nodes.map((n): Node => ({ ...n, origin: [n.name] })),
    inputs,
    outputs,
  };
}

/** 3x3-friendly conv attributes: stride 1, pad 1, no dilation, one group. */
export const CONV_ATTRS = { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 };
