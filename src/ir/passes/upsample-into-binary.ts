// Nearest upsampling by whole factors that feeds only an elementwise op (the FPN neck's up(x) + y) becomes
// a broadcast inside that op: x viewed as [.., H, 1, W, 1], y and the result as [.., H, sH, W, sW]. The
// upsampled tensor is never written; the views are free reshapes.
import type { Graph, Node, ResizeAttrs } from '../graph.js';
import { GraphIndex } from '../graph-index.js';
import { removeNode } from './util.js';

const ELEMENTWISE = new Set(['add', 'sub', 'mul', 'div', 'max', 'min']);

/** Per-axis whole factors when every output index o reads input floor(o / f), else null. */
export function nearestUpsampleFactors(inShape: number[], outShape: number[], at: ResizeAttrs): number[] | null {
  if (at.mode !== 'nearest') return null;
  const floorExact =
    (at.coordMode === 'asymmetric' && at.nearestMode === 'floor') ||
    ((at.coordMode === 'half_pixel' || at.coordMode === 'pytorch_half_pixel') && at.nearestMode.startsWith('round'));
  if (!floorExact || inShape.length !== outShape.length) return null;
  const factors = inShape.map((d, i) => outShape[i] / d);
  if (factors.some((f, i) => !Number.isInteger(f) || f < 1 || at.scales[i] !== f)) return null;
  if (at.coordMode === 'pytorch_half_pixel' && outShape.some((d) => d === 1)) return null;
  return factors;
}

export function fuseUpsampleIntoBinary(g: Graph, keep: Set<string>): number {
  let rewrites = 0;
  const ix = new GraphIndex(g, keep);
  for (const op of [...g.nodes]) {
    if (op.op !== 'binary' || !ELEMENTWISE.has(op.attrs.kind) || op.epilogue || op.inputs.length !== 2) continue;
    const k = [0, 1].find((i) => ix.producer(op.inputs[i])?.op === 'resize');
    if (k === undefined || op.inputs[0] === op.inputs[1]) continue;
    const rs = ix.producer(op.inputs[k]);
    if (rs?.op !== 'resize') continue;
    const up = op.inputs[k],
      other = op.inputs[1 - k],
      out = op.outputs[0];
    const [xv, upv, ov, yv] = [rs.inputs[0], up, out, other].map((n) => g.values.get(n)!);
    if (ix.soleConsumer(up) !== op || upv.dtype !== 'f32' || yv.dtype !== 'f32') continue;
    // the other operand must have the output's full shape (no second broadcast to reconcile)
    if (yv.shape.join() !== ov.shape.join() || upv.shape.join() !== ov.shape.join()) continue;
    const f = nearestUpsampleFactors(xv.shape, upv.shape, rs.attrs);
    if (!f || f.every((v) => v === 1)) continue;
    const small = xv.shape.flatMap((d, i) => (f[i] === 1 ? [d] : [d, 1]));
    const big = xv.shape.flatMap((d, i) => (f[i] === 1 ? [d] : [d, f[i]]));
    const view = (name: string, shape: number[]): [string, Node] => {
      const v = `${name}#upview:${op.name}`;
      g.values.set(v, { name: v, shape, dtype: 'f32' });
      return [
        v,
        {
          name: `${op.name}#view:${name}`,
          op: 'reshape',
          attrs: { shape },
          inputs: [name],
          outputs: [v],
          origin: op.origin,
        },
      ];
    };
    const [xs, xNode] = view(rs.inputs[0], small);
    const [ys, yNode] = view(other, big);
    const wide = `${out}#wide`;
    g.values.set(wide, { name: wide, shape: big, dtype: 'f32' });
    const inputs = k === 0 ? [xs, ys] : [ys, xs];
    const fused: Node = { ...op, inputs, outputs: [wide], origin: [...rs.origin, ...op.origin] };
    const back: Node = {
      name: `${op.name}#unview`,
      op: 'reshape',
      attrs: { shape: ov.shape },
      inputs: [wide],
      outputs: [out],
      origin: op.origin,
    };
    g.nodes.splice(g.nodes.indexOf(op), 1, xNode, yNode, fused, back);
    removeNode(g, rs);
    g.values.delete(up);
    rewrites++;
  }
  return rewrites;
}
