// Every IR op's kernel, in one map.
import { UnsupportedOpError } from '../core/errors.js';
import type { IrOp } from '../ir/graph.js';
import type { AnyKernelDef, KernelDef } from './types.js';
import { binaryKernel } from './binary.js';
import { unaryKernel, castKernel, whereKernel } from './elementwise.js';
import { convKernel } from './conv.js';
import { convTransposeKernel } from './conv-transpose.js';
import { matmulKernel } from './matmul.js';
import { softmaxKernel } from './softmax.js';
import { poolKernel } from './pool.js';
import { reduceKernel, argReduceKernel } from './reduce.js';
import { layerNormKernel, batchNormKernel } from './norm.js';
import { transposeKernel, sliceKernel, concatKernel, expandKernel, gatherKernel } from './data-movement.js';
import { padKernel } from './pad.js';
import { resizeKernel } from './resize.js';
import { dequantizeKernel, quantizeKernel } from './quant.js';
import { qconvKernel, qmatmulKernel } from './qlinear.js';

const KERNELS: AnyKernelDef[] = [
  binaryKernel,
  unaryKernel,
  castKernel,
  whereKernel,
  convKernel,
  convTransposeKernel,
  matmulKernel,
  softmaxKernel,
  poolKernel,
  reduceKernel,
  argReduceKernel,
  layerNormKernel,
  batchNormKernel,
  transposeKernel,
  sliceKernel,
  concatKernel,
  expandKernel,
  gatherKernel,
  padKernel,
  resizeKernel,
  quantizeKernel,
  dequantizeKernel,
  qconvKernel,
  qmatmulKernel,
];

// keyed by op, so the kernel found for node.op takes that node: the one place the pairing is asserted
const BY_OP = new Map<IrOp, KernelDef>(KERNELS.map((k) => [k.op, k as KernelDef]));

export function kernelFor(op: IrOp, node: string): KernelDef {
  const k = BY_OP.get(op);
  if (!k) throw new UnsupportedOpError(node, op, 0, 'no kernel for this IR op');
  return k;
}
