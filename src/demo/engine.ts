// The two networks behind one small interface, so the same pre/post-processing runs on Kestrel or onnxruntime.
// the demo is an app on the public API: its bundles import the main entry instead of inlining the engine
import { type GpuContext, PipelineCache, Session, adapterName, createGpuContext } from '../index.js';

export type ModelRole = 'det' | 'rec';

export interface StepTime {
  model: ModelRole;
  /** The graph node the step runs. */
  label: string;
  /** The kernel variant that ran it. */
  kernel: string;
  gpuMs: number;
}

export interface InferResult {
  data: Float32Array;
  shape: number[];
  /** Host-side time for the call: upload, run, readback (compile excluded). */
  wallMs: number;
  /** Time spent building a plan for a new input shape during this call (0 when cached). */
  compileMs: number;
  /** GPU time from timestamp queries, when profiling was asked and the device has them. */
  gpuMs?: number;
  steps?: StepTime[];
}

export interface OcrEngine {
  readonly name: string;
  /** Where it runs: the adapter name, or 'CPU'. */
  readonly device: string;
  infer(model: ModelRole, data: Float32Array, shape: number[], opts?: { profile?: boolean }): Promise<InferResult>;
  release(): void;
}

export type ModelBytes = Record<ModelRole, Uint8Array>;

const now = (): number => performance.now();

/** Kestrel on WebGPU: one Session per network, sharing a device and the pipeline cache. */
export class KestrelEngine implements OcrEngine {
  readonly name = 'kestrel';
  private constructor(
    private readonly ctx: GpuContext,
    private readonly sessions: Record<ModelRole, Session>,
    private readonly ownsContext: boolean,
  ) {}

  get device(): string {
    return adapterName(this.ctx);
  }
  get context(): GpuContext {
    return this.ctx;
  }

  static async create(models: ModelBytes, opts: { context?: GpuContext } = {}): Promise<KestrelEngine> {
    const ctx = opts.context ?? (await createGpuContext());
    const pipelineCache = new PipelineCache(ctx);
    const det = await Session.create(models.det, { context: ctx, pipelineCache });
    const rec = await Session.create(models.rec, { context: ctx, pipelineCache });
    return new KestrelEngine(ctx, { det, rec }, !opts.context);
  }

  async infer(
    model: ModelRole,
    data: Float32Array,
    shape: number[],
    opts: { profile?: boolean } = {},
  ): Promise<InferResult> {
    const session = this.sessions[model];
    const input = session.inputs[0].name;
    const t0 = now();
    await session.plan(new Map([[input, shape]]));
    const t1 = now();
    const r = await session.runDetailed({ [input]: { data, shape } }, { profile: opts.profile });
    const wallMs = now() - t1;
    const out = r.outputs.get(session.outputs[0].name)!;
    return {
      data: out.data as Float32Array,
      shape: out.shape,
      wallMs,
      compileMs: t1 - t0,
      gpuMs: r.gpuMs,
      steps: r.timings?.map((s) => ({ model, label: s.label, kernel: s.variant, gpuMs: s.gpuMs })),
    };
  }

  release(): void {
    this.sessions.det.release();
    this.sessions.rec.release();
    if (this.ownsContext) this.ctx.destroy();
  }
}
