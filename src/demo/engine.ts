// The two networks behind one small interface, so the same pre/post-processing runs on Kestrel or onnxruntime.
// the demo is an app on the public API: its bundles import the main entry instead of inlining the engine
import {
  type GpuContext,
  type GpuFeed,
  type Model,
  PipelineCache,
  Session,
  adapterName,
  createGpuContext,
  loadModel,
} from '../index.js';

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
  /** Engines on WebGPU only: the same with an input already on the GPU (e.g. from imageToTensor). */
  inferGpu?(model: ModelRole, feed: GpuFeed, opts?: { profile?: boolean }): Promise<InferResult>;
  release(): void;
}

export type ModelBytes = Record<ModelRole, Uint8Array>;

const now = (): number => performance.now();

/** Sessions kept per engine: a frame's rec batches come in a few (lines, width) shapes, and frames repeat them. */
const MAX_SESSIONS = 16;

/**
 * Kestrel on WebGPU: the networks share a device and the pipeline cache. A session keeps only a few plans, so each
 * input shape gets a session of its own (least recently used dropped past MAX_SESSIONS): rec batches of different
 * sizes never evict each other's plans, and a shape seen on an earlier frame runs without planning again.
 */
export class KestrelEngine implements OcrEngine {
  readonly name = 'kestrel';
  private readonly sessions = new Map<string, Session>();
  private constructor(
    private readonly ctx: GpuContext,
    private readonly models: Record<ModelRole, Model>,
    private readonly pipelineCache: PipelineCache,
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
    const loaded = { det: await loadModel(models.det), rec: await loadModel(models.rec) };
    return new KestrelEngine(ctx, loaded, new PipelineCache(ctx), !opts.context);
  }

  private async session(model: ModelRole, shape: readonly number[]): Promise<Session> {
    const key = `${model}:${shape.join('x')}`;
    let s = this.sessions.get(key);
    if (s) this.sessions.delete(key);
    else s = await Session.create(this.models[model], { context: this.ctx, pipelineCache: this.pipelineCache });
    if (this.sessions.size >= MAX_SESSIONS) {
      const [oldest, dropped] = this.sessions.entries().next().value!;
      dropped.release();
      this.sessions.delete(oldest);
    }
    this.sessions.set(key, s);
    return s;
  }

  infer(model: ModelRole, data: Float32Array, shape: number[], opts: { profile?: boolean } = {}): Promise<InferResult> {
    return this.run(model, { data, shape }, shape, opts);
  }

  inferGpu(model: ModelRole, feed: GpuFeed, opts: { profile?: boolean } = {}): Promise<InferResult> {
    return this.run(model, feed, feed.shape, opts);
  }

  private async run(
    model: ModelRole,
    feed: GpuFeed | { data: Float32Array; shape: number[] },
    shape: number[],
    opts: { profile?: boolean },
  ): Promise<InferResult> {
    const t0 = now();
    const session = await this.session(model, shape);
    const input = session.inputs[0].name;
    await session.plan(new Map([[input, shape]]));
    const t1 = now();
    const r = await session.runDetailed({ [input]: feed }, { profile: opts.profile });
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
    for (const s of this.sessions.values()) s.release();
    this.sessions.clear();
    if (this.ownsContext) this.ctx.destroy();
  }
}
