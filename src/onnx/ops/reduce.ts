// Reductions and arg-reductions: ONNX -> IR 'reduce' / 'argReduce'.
import { normAxis } from '../../core/shape.js';
import type { ReduceKind } from '../../ir/graph.js';
import type { ImportContext } from '../context.js';
import type { Lowering } from './types.js';

function reduce(kind: ReduceKind, axesInputSince: number): Lowering {
  return (c: ImportContext) => {
    const x = c.requireInput(0, 'data');
    const r = c.shape(x).length;
    const keepDims = c.attrs.int('keepdims', 1) === 1;
    const raw =
      c.opset >= axesInputSince ? c.constInts(1, 'axes') : c.attrs.has('axes') ? c.attrs.ints('axes') : undefined;
    if (!raw || raw.length === 0) {
      if (c.attrs.int('noop_with_empty_axes', 0) === 1) {
        c.emit('identity', {}, [x], c.outputName());
        return;
      }
    }
    const axes = [
      ...new Set(
        (raw && raw.length ? raw : [...Array(r).keys()]).map((a) => normAxis(a, r, `node '${c.nodeName}' axes`)),
      ),
    ].sort((a, b) => a - b);
    c.emit('reduce', { kind, axes, keepDims }, [x], c.outputName());
  };
}

function argReduce(kind: 'max' | 'min'): Lowering {
  return (c) => {
    const x = c.requireInput(0, 'data');
    const axis = normAxis(c.attrs.int('axis', 0), c.shape(x).length, `node '${c.nodeName}' axis`);
    c.emit(
      'argReduce',
      {
        kind,
        axis,
        keepDims: c.attrs.int('keepdims', 1) === 1,
        selectLastIndex: c.attrs.int('select_last_index', 0) === 1,
      },
      [x],
      c.outputName(),
    );
  };
}

export const REDUCE: Record<string, Lowering> = {
  ReduceSum: reduce('sum', 13),
  ReduceMean: reduce('mean', 18),
  ReduceMax: reduce('max', 18),
  ReduceMin: reduce('min', 18),
  ReduceProd: reduce('prod', 18),
  ReduceSumSquare: reduce('sumSquare', 18),
  ReduceL1: reduce('l1', 18),
  ReduceL2: reduce('l2', 18),
  ReduceLogSum: reduce('logSum', 18),
  ReduceLogSumExp: reduce('logSumExp', 18),
  ArgMax: argReduce('max'),
  ArgMin: argReduce('min'),
};
