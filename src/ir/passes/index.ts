// The optimization pipeline. Each pass can be switched off for debugging (kestrel run --no-pass NAME).
import type { Graph } from '../graph.js';
import { eliminateDeadNodes } from './dead-nodes.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { fuseEpilogues } from './fuse-epilogue.js';
import { fuseHardSwish } from './hardswish.js';
import { removeIdentity } from './remove-identity.js';
import { deconvToConv } from './deconv-to-conv.js';
import { fuseQdq } from './fuse-qdq.js';
import { foldDequantize } from './fold-dequantize.js';
import { fuseFakeQuant } from './fuse-fake-quant.js';
import { factorResidualMul } from './factor-residual-mul.js';
import { fuseUpsampleIntoBinary } from './upsample-into-binary.js';
import { addZeroBias } from './zero-bias.js';

// spelled out so the public SessionOptions.passes type names the passes without exposing the IR
export type PassName =
  | 'removeIdentity'
  | 'deadNodes'
  | 'foldBatchNorm'
  | 'hardSwish'
  | 'factorResidualMul'
  | 'upsampleIntoBinary'
  | 'fuseEpilogue'
  | 'deconvToConv'
  | 'fuseQdq'
  | 'foldDequantize'
  | 'fuseFakeQuant'
  | 'zeroBias';
export type Pass = (g: Graph, keep: Set<string>) => number;

export const PASSES: Readonly<Record<PassName, Pass>> = {
  removeIdentity,
  deadNodes: eliminateDeadNodes,
  foldBatchNorm,
  hardSwish: fuseHardSwish,
  factorResidualMul,
  upsampleIntoBinary: fuseUpsampleIntoBinary,
  fuseEpilogue: fuseEpilogues,
  deconvToConv,
  fuseQdq,
  foldDequantize,
  fuseFakeQuant,
  zeroBias: addZeroBias,
};
/**
 * Passes that run only when asked for ({ fuseQdq: true }, `--pass fuseQdq`). fuseQdq puts QDQ chains on the
 * integer kernels, but its exact i32 sums round differently from onnxruntime's float conv + QuantizeLinear
 * (ppocr cls full int8: rel L2 1.5e-2 against onnxruntime, where the float fake-quant path agrees to 3e-8).
 */
export const OPT_IN: ReadonlySet<PassName> = new Set<PassName>(['fuseQdq']);
export type PassOptions = Partial<Record<PassName, boolean>>;

/** Runs the enabled passes in order; returns how many rewrites each made. `passes`: the implementations (tests). */
export function runPasses(
  g: Graph,
  opts: PassOptions = {},
  keep: Set<string> = new Set(),
  passes: Readonly<Record<PassName, Pass>> = PASSES,
): Record<string, number> {
  const report: Record<string, number> = {};
  // BN folding runs again after epilogue fusion: a conv's bias Add folded in may have stood between them
  const order: PassName[] = [
    'removeIdentity',
    'deadNodes',
    'foldBatchNorm',
    'hardSwish',
    'factorResidualMul',
    'fuseEpilogue',
    'foldBatchNorm',
    'fuseEpilogue',
    'upsampleIntoBinary',
    'deconvToConv',
    'fuseQdq',
    'foldDequantize',
    'fuseFakeQuant',
    'deadNodes',
    'zeroBias',
  ];
  for (const name of order) {
    if (opts[name] === false || (OPT_IN.has(name) && opts[name] !== true)) continue;
    report[name] = (report[name] ?? 0) + passes[name](g, keep);
  }
  return report;
}
