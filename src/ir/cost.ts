// Work estimates per IR node: FLOPs (a multiply-add counts 2) and bytes moved, for inspect and profile.
import { bytesPerElement, gpuDType } from '../core/dtype.js';
import { sizeOf } from '../core/shape.js';
import type { Graph, Node } from './graph.js';

export function nodeFlops(g: Graph, n: Node): number {
  const out = g.values.get(n.outputs[0])!;
  const outN = sizeOf(out.shape);
  const shape = (i: number) => g.values.get(n.inputs[i])?.shape ?? [];
  switch (n.op) {
    case 'conv': {
      const w = shape(1);
      return 2 * outN * w[1] * w[2] * w[3];
    }
    case 'convTranspose': {
      const w = shape(1);
      return 2 * sizeOf(shape(0)) * w[1] * w[2] * w[3];
    }
    case 'matmul': {
      const a = shape(0);
      const k = n.attrs.transA ? a[a.length - 2] : a[a.length - 1];
      return 2 * outN * k;
    }
    case 'qconv': {
      const w = n.attrs.wShape;
      return 2 * outN * w[1] * w[2] * w[3];
    }
    case 'qmatmul':
      return 2 * outN * n.attrs.wShape[0];
    case 'pool':
      return outN * n.attrs.kernel[0] * n.attrs.kernel[1];
    case 'reduce':
    case 'softmax':
    case 'layerNorm':
      return sizeOf(shape(0)) * (n.op === 'reduce' ? 1 : 4);
    default:
      return outN;
  }
}

export function nodeBytes(g: Graph, n: Node): number {
  let b = 0;
  for (const name of [...n.inputs, ...n.outputs, n.epilogue?.residual ?? '']) {
    const v = name ? g.values.get(name) : undefined;
    if (v) b += sizeOf(v.shape) * bytesPerElement(gpuDType(v.dtype));
  }
  return b;
}
