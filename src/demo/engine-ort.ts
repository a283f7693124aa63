// onnxruntime-node (CPU) as the second engine: the reference the demo's accuracy table compares Kestrel with.
import { type Ort, type OrtSession, loadOnnxruntime } from '../parity/ort.js';
import type { InferResult, ModelBytes, ModelRole, OcrEngine } from './engine.js';

export class OnnxruntimeEngine implements OcrEngine {
  readonly name = 'onnxruntime';
  readonly device = 'CPU (onnxruntime-node)';
  private constructor(
    private readonly ort: Ort,
    private readonly sessions: Record<ModelRole, OrtSession>,
  ) {}

  static async create(models: ModelBytes): Promise<OnnxruntimeEngine> {
    const ort = await loadOnnxruntime('--engine onnxruntime');
    const opts = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' as const, intraOpNumThreads: 2 };
    const det = await ort.InferenceSession.create(models.det, opts);
    const rec = await ort.InferenceSession.create(models.rec, opts);
    return new OnnxruntimeEngine(ort, { det, rec });
  }

  async infer(model: ModelRole, data: Float32Array, shape: number[]): Promise<InferResult> {
    const s = this.sessions[model];
    const t0 = performance.now();
    const r = await s.run({ [s.inputNames[0]]: new this.ort.Tensor('float32', data, shape) });
    const out = r[s.outputNames[0]];
    return { data: out.data as Float32Array, shape: [...out.dims], wallMs: performance.now() - t0, compileMs: 0 };
  }

  release(): void {
    for (const s of Object.values(this.sessions)) void s.release?.();
  }
}
