// Output shape and dtype of every IR op, from concrete input shapes. Attribute sanity is checked here,
// so a bad model fails with a ShapeError naming the node instead of reaching a kernel.
import type { DType } from '../core/dtype.js';
import { ShapeError } from '../core/errors.js';
import { broadcastShapes, normAxis, shapeStr, sizeOf } from '../core/shape.js';
import type * as A from './graph.js';

export interface TensorInfo {
  shape: number[];
  dtype: DType;
}

const COMPARE = new Set(['equal', 'less', 'greater', 'lessOrEqual', 'greaterOrEqual', 'and', 'or', 'xor']);

function need(cond: boolean, node: string, msg: string): void {
  if (!cond) throw new ShapeError(`node '${node}': ${msg}`);
}

export function convOutDim(
  inp: number,
  k: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dil: number,
): number {
  return Math.floor((inp + padBegin + padEnd - dil * (k - 1) - 1) / stride) + 1;
}

export function poolOutDim(
  inp: number,
  k: number,
  stride: number,
  p0: number,
  p1: number,
  dil: number,
  ceil: boolean,
): number {
  const span = inp + p0 + p1 - dil * (k - 1) - 1;
  let o = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // ceil mode: the last window must start inside the input or the begin padding
  if (ceil && (o - 1) * stride >= inp + p0) o--;
  return o;
}

export function inferNode(node: A.Node, ins: (TensorInfo | undefined)[]): TensorInfo[] {
  const nm = node.name;
  const x = ins[0];
  const at = node.attrs;
  const one = (shape: number[], dtype: DType): TensorInfo[] => {
    need(
      shape.every((d) => Number.isInteger(d) && d >= 0),
      nm,
      `invalid output shape ${shapeStr(shape)}`,
    );
    return [{ shape, dtype }];
  };
  need(!!x || node.op === 'concat', nm, `missing first input`);
  switch (node.op) {
    case 'conv':
    case 'convTranspose': {
      const a = at as A.ConvTransposeAttrs;
      const w = ins[1]!;
      need(
        x!.shape.length === 4 && w.shape.length === 4,
        nm,
        `conv needs 4-D input and weight, got ${shapeStr(x!.shape)} and ${shapeStr(w.shape)}`,
      );
      need(
        a.group >= 1 && a.strides.every((s) => s >= 1) && a.dilations.every((d) => d >= 1),
        nm,
        `stride, dilation and group must be >= 1`,
      );
      const [n, c, h, wd] = x!.shape;
      const [k0, k1, kh, kw] = w.shape;
      if (node.op === 'conv') {
        need(c % a.group === 0 && k0 % a.group === 0, nm, `group ${a.group} does not divide channels ${c} / ${k0}`);
        need(
          k1 * a.group === c,
          nm,
          `weight ${shapeStr(w.shape)} expects ${k1 * a.group} input channels, input has ${c}`,
        );
        const oh = convOutDim(h, kh, a.strides[0], a.pads[0], a.pads[2], a.dilations[0]);
        const ow = convOutDim(wd, kw, a.strides[1], a.pads[1], a.pads[3], a.dilations[1]);
        need(oh >= 1 && ow >= 1, nm, `kernel ${kh}x${kw} (dilated) is larger than the padded input ${h}x${wd}`);
        return one([n, k0, oh, ow], x!.dtype);
      }
      need(
        c === k0 && c % a.group === 0,
        nm,
        `weight ${shapeStr(w.shape)} does not match ${c} input channels (group ${a.group})`,
      );
      const oh = a.strides[0] * (h - 1) + a.outputPadding[0] + (kh - 1) * a.dilations[0] + 1 - a.pads[0] - a.pads[2];
      const ow = a.strides[1] * (wd - 1) + a.outputPadding[1] + (kw - 1) * a.dilations[1] + 1 - a.pads[1] - a.pads[3];
      need(oh >= 1 && ow >= 1, nm, `output would be empty`);
      return one([n, k1 * a.group, oh, ow], x!.dtype);
    }
    case 'matmul': {
      const a = at as A.MatmulAttrs;
      const b = ins[1]!;
      need(
        x!.shape.length >= 2 && b.shape.length >= 2,
        nm,
        `matmul operands must be at least 2-D (importer lifts 1-D)`,
      );
      const [m, k] = a.transA ? x!.shape.slice(-2).reverse() : x!.shape.slice(-2);
      const [k2, n] = a.transB ? b.shape.slice(-2).reverse() : b.shape.slice(-2);
      need(k === k2, nm, `inner dimensions differ: ${shapeStr(x!.shape)} x ${shapeStr(b.shape)}`);
      const batch = broadcastShapes([x!.shape.slice(0, -2), b.shape.slice(0, -2)], `node '${nm}'`);
      return one([...batch, m, n], x!.dtype);
    }
    case 'binary': {
      const kind = (at as A.BinaryAttrs).kind;
      const shape = broadcastShapes([x!.shape, ins[1]!.shape], `node '${nm}'`);
      return one(shape, COMPARE.has(kind) ? 'bool' : x!.dtype);
    }
    case 'where':
      return one(broadcastShapes([x!.shape, ins[1]!.shape, ins[2]!.shape], `node '${nm}'`), ins[1]!.dtype);
    case 'unary': {
      const act = (at as A.UnaryAttrs).act;
      return one([...x!.shape], act === 'isNaN' || act === 'isInf' || act === 'not' ? 'bool' : x!.dtype);
    }
    case 'identity':
    case 'batchNorm':
      return one([...x!.shape], x!.dtype);
    case 'cast':
      return one([...x!.shape], (at as A.CastAttrs).to);
    case 'softmax':
      normAxis((at as A.SoftmaxAttrs).axis, x!.shape.length, `node '${nm}' axis`);
      return one([...x!.shape], x!.dtype);
    case 'layerNorm':
      normAxis((at as A.LayerNormAttrs).axis, x!.shape.length, `node '${nm}' axis`);
      return one([...x!.shape], x!.dtype);
    case 'pool': {
      const a = at as A.PoolAttrs;
      need(x!.shape.length === 4, nm, `pooling needs a 4-D input, got ${shapeStr(x!.shape)}`);
      need(a.strides.every((s) => s >= 1) && a.kernel.every((k) => k >= 1), nm, `kernel and stride must be >= 1`);
      const [n, c, h, w] = x!.shape;
      const oh = poolOutDim(h, a.kernel[0], a.strides[0], a.pads[0], a.pads[2], a.dilations[0], a.ceilMode);
      const ow = poolOutDim(w, a.kernel[1], a.strides[1], a.pads[1], a.pads[3], a.dilations[1], a.ceilMode);
      need(oh >= 1 && ow >= 1, nm, `pooling window ${a.kernel.join('x')} is larger than the padded input ${h}x${w}`);
      return one([n, c, oh, ow], x!.dtype);
    }
    case 'reduce': {
      const a = at as A.ReduceAttrs;
      const shape = x!.shape.flatMap((d, i) => (a.axes.includes(i) ? (a.keepDims ? [1] : []) : [d]));
      return one(shape, x!.dtype);
    }
    case 'argReduce': {
      const a = at as A.ArgReduceAttrs;
      const shape = x!.shape.flatMap((d, i) => (i === a.axis ? (a.keepDims ? [1] : []) : [d]));
      return one(shape, 'i64');
    }
    case 'transpose': {
      const perm = (at as A.TransposeAttrs).perm;
      need(
        perm.length === x!.shape.length && [...perm].sort().every((p, i) => p === i),
        nm,
        `perm [${perm}] is not a permutation of rank ${x!.shape.length}`,
      );
      return one(
        perm.map((p) => x!.shape[p]),
        x!.dtype,
      );
    }
    case 'slice': {
      const a = at as A.SliceAttrs;
      const shape = x!.shape.map((_, i) => {
        const st = a.steps[i];
        const n = st > 0 ? Math.ceil((a.ends[i] - a.starts[i]) / st) : Math.ceil((a.starts[i] - a.ends[i]) / -st);
        return Math.max(0, n);
      });
      return one(shape, x!.dtype);
    }
    case 'concat': {
      const present = ins.filter((t): t is TensorInfo => !!t);
      need(present.length > 0, nm, 'concat of nothing');
      const r = present[0].shape.length;
      const axis = normAxis((at as A.ConcatAttrs).axis, r, `node '${nm}' axis`);
      const shape = [...present[0].shape];
      shape[axis] = 0;
      for (const t of present) {
        need(
          t.shape.length === r && t.shape.every((d, i) => i === axis || d === present[0].shape[i]),
          nm,
          `concat inputs ${present.map((p) => shapeStr(p.shape)).join(', ')} differ off axis ${axis}`,
        );
        shape[axis] += t.shape[axis];
      }
      return one(shape, present[0].dtype);
    }
    case 'expand':
      return one(broadcastShapes([x!.shape, (at as A.ExpandAttrs).shape], `node '${nm}'`), x!.dtype);
    case 'pad': {
      const a = at as A.PadAttrs;
      const r = x!.shape.length;
      need(a.pads.length === 2 * r, nm, `pads has ${a.pads.length} entries for rank ${r}`);
      const shape = x!.shape.map((d, i) => d + a.pads[i] + a.pads[i + r]);
      if (a.mode === 'reflect')
        need(
          x!.shape.every((d, i) => a.pads[i] < d && a.pads[i + r] < d),
          nm,
          `reflect pads must be smaller than the input dims`,
        );
      return one(shape, x!.dtype);
    }
    case 'resize':
      need((at as A.ResizeAttrs).outShape.length === x!.shape.length, nm, `resize output rank differs from input`);
      return one([...(at as A.ResizeAttrs).outShape], x!.dtype);
    case 'gather': {
      const axis = normAxis((at as A.GatherAttrs).axis, x!.shape.length, `node '${nm}' axis`);
      const idx = ins[1]!;
      return one([...x!.shape.slice(0, axis), ...idx.shape, ...x!.shape.slice(axis + 1)], x!.dtype);
    }
    case 'dequantize':
      return one([...x!.shape], ins[1]?.dtype === 'f16' ? 'f16' : 'f32');
    case 'quantize':
      return one([...x!.shape], (at as A.QuantAttrs).fake ? x!.dtype : ((at as A.QuantAttrs).to ?? 'u8'));
    case 'qconv': {
      const a = at as A.QLinearAttrs;
      const [n, , h, wd] = x!.shape;
      const [oc, , kh, kw] = a.wShape;
      const c = a.conv!;
      return one(
        [
          n,
          oc,
          convOutDim(h, kh, c.strides[0], c.pads[0], c.pads[2], c.dilations[0]),
          convOutDim(wd, kw, c.strides[1], c.pads[1], c.pads[3], c.dilations[1]),
        ],
        a.to,
      );
    }
    case 'qmatmul': {
      const a = at as A.QLinearAttrs;
      need(
        x!.shape.at(-1) === a.wShape[0],
        nm,
        `inner dimensions differ: ${shapeStr(x!.shape)} x ${shapeStr(a.wShape)}`,
      );
      return one([...x!.shape.slice(0, -1), a.wShape[1]], a.to);
    }
    case 'reshape': {
      const shape = (at as A.ReshapeAttrs).shape;
      need(sizeOf(shape) === sizeOf(x!.shape), nm, `cannot reshape ${shapeStr(x!.shape)} to ${shapeStr(shape)}`);
      return one([...shape], x!.dtype);
    }
  }
}
