// A bench case: one IR op at the shapes of a real student network.
import type { WithAttrs } from '../../src/ir/graph.js';

export type Family =
  'matmul' | 'conv3x3' | 'conv1x1' | 'depthwise' | 'convTranspose' | 'softmax' | 'pool' | 'elementwise' | 'resize';

export interface CaseInput {
  shape: number[];
  /** A constant (weights): uploaded once with the plan, as in a model. */
  weight?: boolean;
  /**
   * int8 weights as a quantized model has them after dequantize folding: symmetric per output channel,
   * read packed by the kernel, the scale applied in the epilogue (the reference uses the dequantized values).
   */
  int8?: boolean;
}

export interface KernelCaseBase {
  family: Family;
  /** Stable id: family/name. */
  id: string;
  /** Where the shape comes from (PP-OCRv4 det, MobileNetV2, ...). */
  source: string;
  inputs: CaseInput[];
  /** Part of `--quick`. */
  quick?: boolean;
  /** TF.js WebGPU runs the same op (matmul, conv2d, depthwise, softmax). */
  tfjs?: boolean;
}
/** One op and its typed attributes (a union discriminated on `op`, like the IR's Node). */
export type KernelCase = WithAttrs<KernelCaseBase>;

export const conv = (pads: number, strides = 1, group = 1, dilation = 1) => ({
  strides: [strides, strides],
  pads: [pads, pads, pads, pads],
  dilations: [dilation, dilation],
  group,
});

/** Sizes like 1x96x80x80 in labels. */
export const dims = (s: number[]) => s.join('x');
