// A deliberately broken epilogue (test-only hook) in one step of PP-OCRv4 det: per-layer comparison and
// bisection against onnxruntime must both name exactly that step.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/core/tensor.js';
import { loadModel } from '../../src/onnx/load.js';
import type { Model } from '../../src/onnx/decode.js';
import { bisectParity, ortAllValues, perLayerParity } from '../../src/parity/per-layer.js';
import { testGpu } from '../kernels/harness.js';
import { MODELS } from '../models/models.js';
import { textLikeImage } from '../models/inputs.js';

// a mid-network conv whose fused epilogue gets output * 1.5
const BROKEN = 'p2o.Conv.20';

describe('parity tooling finds a planted bug in PP-OCRv4 det', () => {
  let model: Model;
  let ref: Record<string, HostTensor>;
  const x = textLikeImage([1, 3, 160, 160], 5);
  beforeAll(async () => {
    model = await loadModel(MODELS.det);
    ref = await ortAllValues(new Uint8Array(readFileSync(MODELS.det)), { x });
  }, 120_000);

  it('per-layer: everything matches without the bug', async () => {
    const r = await perLayerParity(model, { x }, ref, { tolerance: 1e-4, session: { context: await testGpu() } });
    expect(r.firstBad).toBeNull();
    expect(r.rows.filter((row) => row.status === 'compared').length).toBeGreaterThan(50);
  }, 120_000);

  it('per-layer names the broken step first', async () => {
    const r = await perLayerParity(model, { x }, ref, {
      tolerance: 1e-4,
      failFast: true,
      session: { context: await testGpu(), debugBreakNode: BROKEN },
    });
    expect(r.firstBad).not.toBeNull();
    expect(r.firstBad!.step).toBe(BROKEN);
    expect(r.firstBad!.diff!.relL2).toBeGreaterThan(0.1);
  }, 120_000);

  it('bisect names the broken step', async () => {
    const b = await bisectParity(model, { x }, ref, {
      tolerance: 1e-4,
      context: await testGpu(),
      session: { debugBreakNode: BROKEN },
    });
    expect(b.step).toBe(BROKEN);
    expect(b.probes).toBeLessThan(12);
  }, 180_000);
});
