// matmul at the shapes of the students: the rec CTC head and attention, a ViT block, and the 1024^3 square
// that the adapter notes use as their yardstick.
import type { KernelCase } from './types.js';

const mm = (
  id: string,
  source: string,
  a: number[],
  b: number[],
  opts: { quick?: boolean; weight?: boolean } = {},
): KernelCase => ({
  family: 'matmul',
  id: `matmul/${id}`,
  source,
  op: 'matmul',
  attrs: { transA: false, transB: false, alpha: 1 },
  inputs: [{ shape: a }, { shape: b, weight: opts.weight ?? true }],
  quick: opts.quick,
  tfjs: true,
});

export const MATMUL_CASES: KernelCase[] = [
  mm('rec.ctc-head', 'PP-OCRv4 rec', [1, 40, 120], [120, 6625], { quick: true }),
  mm('rec.attn-qkv', 'PP-OCRv4 rec', [1, 40, 120], [120, 360]),
  mm('vit.mlp-fc1', 'ViT-B/16', [197, 768], [768, 3072]),
  mm('vit.attn-scores', 'ViT-B/16', [12, 197, 64], [12, 64, 197], { weight: false }),
  mm('square-1024', 'adapter yardstick', [1024, 1024], [1024, 1024], { quick: true, weight: false }),
];
