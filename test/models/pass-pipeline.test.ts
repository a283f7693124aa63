// The pass pipeline on the PP-OCR students: the rewrite driver (worklist, resumes near each rewrite) must give the
// graph that the plain semantics give, a restart from the top after every rewrite, implemented here independently.
// Node counts are pinned to what the pipeline made before the driver existed (commit 1995f56); the optimized
// graphs' outputs against onnxruntime-node are ppocr.test.ts's.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { GraphIndex } from '../../src/ir/graph-index.js';
import type { RewriteRule } from '../../src/ir/rewrite.js';
import { PASSES, type Pass, runPasses } from '../../src/ir/passes/index.js';
import { fuseEpilogueRule } from '../../src/ir/passes/fuse-epilogue.js';
import { hardSwishRule } from '../../src/ir/passes/hardswish.js';
import { residualMulRule } from '../../src/ir/passes/factor-residual-mul.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { importModel, resolveInputShapes } from '../../src/onnx/import.js';
import { modelBytes } from './models.js';

/** The first node in graph order that the rule rewrites, again and again from the top, until none does. */
function restartFromTop(rule: RewriteRule): Pass {
  return (g, keep) => {
    let rewrites = 0;
    for (;;) {
      const ix = new GraphIndex(g, keep);
      if (!g.nodes.some((n) => rule(n, ix) !== null)) return rewrites;
      rewrites++;
    }
  };
}

const REFERENCE: typeof PASSES = {
  ...PASSES,
  fuseEpilogue: restartFromTop(fuseEpilogueRule),
  hardSwish: restartFromTop(hardSwishRule),
  factorResidualMul: (g, keep) =>
    g.nodes.some((n) => n.op === 'quantize') ? 0 : restartFromTop(residualMulRule)(g, keep),
};

function imported(name: 'det' | 'rec' | 'cls', shape: number[]): Graph {
  const m = decodeModel(modelBytes(name));
  return importModel(m, resolveInputShapes(m, { x: shape }));
}

/** Everything a later stage reads: each node in order, and each value (constants by a hash of their bytes). */
function snapshot(g: Graph): unknown {
  const bytes = (d: ArrayBufferView) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  const hash = (d: ArrayBufferView) => createHash('sha256').update(bytes(d)).digest('hex');
  const values = [...g.values.values()].map((v) => ({ ...v, data: v.data && hash(v.data.data as ArrayBufferView) }));
  // names the passes make end in a process-wide counter (p2o.Conv.0#bias35, #phases2): the second import counts on
  return JSON.parse(JSON.stringify({ nodes: g.nodes, values }).replace(/(#[^"#]*?)\d+(?=["#])/g, '$1'));
}

const CASES: ['det' | 'rec' | 'cls', number[], number, number][] = [
  ['det', [1, 3, 320, 320], 330, 107],
  ['rec', [1, 3, 48, 320], 409, 164],
  ['cls', [1, 3, 48, 192], 217, 79],
];

describe('pass pipeline on PP-OCR students: the rewrite driver against restarting from the top', () => {
  for (const [name, shape, importedNodes, optimizedNodes] of CASES) {
    it(`${name} at ${shape.join('x')}: ${importedNodes} -> ${optimizedNodes} nodes, the same graph`, () => {
      const ours = imported(name, shape);
      const ref = imported(name, shape);
      expect(ours.nodes.length).toBe(importedNodes);
      const report = runPasses(ours, {}, new Set());
      const refReport = runPasses(ref, {}, new Set(), REFERENCE);
      expect(report).toEqual(refReport);
      expect(ours.nodes.length).toBe(optimizedNodes);
      expect(ours.nodes.map((n) => n.op)).toEqual(ref.nodes.map((n) => n.op));
      expect(snapshot(ours)).toEqual(snapshot(ref));
    }, 120_000);
  }
});
