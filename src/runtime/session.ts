// The public inference API: a model specialized and planned per set of input shapes, run with one
// submission per call.
import { type DType, allocTyped } from '../core/dtype.js';
import { AbortError, InputError, KestrelError, ReleasedError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { shapeStr, sizeOf } from '../core/shape.js';
import type { HostTensor } from '../core/tensor.js';
import type { Graph } from '../ir/graph.js';
import { type PassOptions, runPasses } from '../ir/passes/index.js';
import type { IoInfo, Model } from '../onnx/decode.js';
import { checkShape, importModel, resolveInputShapes } from '../onnx/import.js';
import { NeedsInputValue } from '../onnx/context.js';
import { type ModelSource, loadModel } from '../onnx/load.js';
import { type GpuContext, createGpuContext } from './device.js';
import { Executor, type RunResult } from './executor.js';
import { type GpuFeed, type GpuTensor, ResidentTensor, checkGpuFeed, isGpuFeed } from './gpu-io.js';
import { PipelineCache } from './pipelines.js';
import { debugEnabled } from './debug.js';
import { type AutoTuneOptions, type TuningOption, resolveTuning } from './tuning/resolve.js';

export interface SessionOptions {
  /** Shapes for inputs with dynamic dims (others use the declared dims). */
  shapes?: Record<string, number[]>;
  /** Switch optimization passes off for debugging, e.g. { fuseEpilogue: false }. */
  passes?: PassOptions;
  /**
   * Values to read back with the outputs. 'all': every value the optimized plan computes (fusion is
   * unchanged, so values inside a fused step are not among them). A list of ONNX value names: those
   * that survive optimization are pinned in memory and read back; see Plan.uncaptured for the rest.
   */
  capture?: string[] | 'all';
  /** ONNX value names that optimization must keep as real tensors (fusion stops around them). */
  keep?: string[];
  /** Test-only: perturb the epilogue of the step of this IR node (output * 1.5), to test parity tooling. */
  debugBreakNode?: string;
  /** Share a device between sessions. */
  context?: GpuContext;
  /** Share compiled pipelines between sessions on the same device. */
  pipelineCache?: PipelineCache;
  limits?: Partial<Limits>;
  /**
   * Kernel choice per adapter (README "Tuning"): unset uses the profile shipped for this adapter, 'off' the
   * portable defaults, a profile (from `kestrel tune`) its measured choices, 'auto' measures what no profile
   * decides at plan creation (within `autoTune.budgetMs`) and caches it (a file in Node, IndexedDB in browsers).
   */
  tuning?: TuningOption;
  autoTune?: AutoTuneOptions;
  /** Test aid: fill intermediate memory with NaN before each run. */
  poison?: boolean;
  /** Stops loading and planning in Session.create with an AbortError. */
  signal?: AbortSignal;
}

/** A host tensor, or a GpuFeed: a GPUBuffer (STORAGE | COPY_SRC usage) on the session's device. */
export type Feed = HostTensor | { data: HostTensor['data']; shape: number[]; dtype?: DType } | GpuFeed;

export interface SessionRunOptions {
  /** 'gpu': outputs stay on the GPU as GpuTensors, valid until this session's next run or release. */
  outputLocation?: 'cpu' | 'gpu';
}

interface ValidFeeds {
  shapes: Map<string, number[]>;
  tensors: Map<string, HostTensor>;
  gpuFeeds: Map<string, GpuFeed>;
}

export interface Plan {
  graph: Graph;
  executor: Executor;
  passReport: Record<string, number>;
  /** Requested capture values that optimization fused or folded away. */
  uncaptured: string[];
  importMs: number;
  createMs: number;
}

const MAX_PLANS = 4;

export class Session {
  private plans = new Map<string, Plan>();
  /** Inputs whose values (not just shapes) are baked into plans. */
  private valueInputs = new Set<string>();
  private released = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly cache: PipelineCache;
  /** Counts runs started; a GPU output is valid only while this is unchanged. */
  private generation = 0;

  private constructor(
    readonly model: Model,
    readonly ctx: GpuContext,
    private readonly opts: SessionOptions,
    private ownsContext: boolean,
  ) {
    this.cache = opts.pipelineCache ?? new PipelineCache(ctx);
  }

  get inputs(): IoInfo[] {
    return this.model.inputs;
  }
  get outputs(): IoInfo[] {
    return this.model.outputs;
  }
  get pipelineCount(): number {
    return this.cache.size;
  }

  static async create(source: Model | ModelSource, opts: SessionOptions = {}): Promise<Session> {
    const { signal } = opts;
    const checkAbort = () => {
      if (signal?.aborted) throw new AbortError('Session.create', signal.reason);
    };
    checkAbort();
    const model = isModel(source) ? source : await loadModel(source, { limits: opts.limits, signal });
    checkAbort();
    const ctx = opts.context ?? (await createGpuContext());
    const s = new Session(model, ctx, opts, !opts.context);
    try {
      checkAbort();
      // plan eagerly when every input shape is known, so the first run pays no compile
      const known = model.inputs.every((i) => opts.shapes?.[i.name] || i.dims.every((d) => typeof d === 'number'));
      if (known) {
        try {
          await s.plan(resolveInputShapes(model, opts.shapes));
        } catch (e) {
          if (!(e instanceof NeedsInputValue)) throw e; // planned at the first run, when the value is known
        }
      }
      checkAbort();
    } catch (e) {
      s.release();
      throw e;
    }
    return s;
  }

  /** The plan for a set of input shapes (built and cached on first use). */
  async plan(shapes: Map<string, number[]>, feeds?: Map<string, HostTensor>): Promise<Plan> {
    if (this.released) throw new ReleasedError('session');
    const values = new Map<string, HostTensor>();
    for (const name of this.valueInputs) {
      const t = feeds?.get(name);
      if (!t)
        throw new InputError(`input '${name}' is baked into the plan by value; plan it by running with that input`);
      values.set(name, t);
    }
    const key =
      [...shapes.entries()].map(([k, v]) => `${k}:${v.join('x')}`).join(';') +
      [...values.entries()].map(([k, t]) => `|${k}=${Array.from(t.data as ArrayLike<unknown>).join(',')}`).join('');
    let p = this.plans.get(key);
    if (p) return p;
    const t0 = performance.now();
    let graph: Graph;
    try {
      graph = importModel(this.model, shapes, values);
    } catch (e) {
      // an input whose value decides the plan (Pad's pads, Expand's shape): specialize on it and retry
      if (e instanceof NeedsInputValue && feeds?.has(e.input) && !this.valueInputs.has(e.input)) {
        this.valueInputs.add(e.input);
        return this.plan(shapes, feeds);
      }
      throw e;
    }
    // integer QDQ kernels need dot4I8Packed; without it QDQ chains stay on the float path
    const passes = this.ctx.features.dot4 ? this.opts.passes : { ...this.opts.passes, fuseQdq: false };
    const passReport = runPasses(graph, passes, new Set((this.opts.keep ?? []).filter((n) => graph.values.has(n))));
    const computed = new Set(graph.nodes.flatMap((n) => n.outputs));
    const wanted = this.opts.capture === 'all' ? [...computed] : (this.opts.capture ?? []);
    const capture = wanted.filter((n) => computed.has(n));
    const uncaptured = wanted.filter((n) => !computed.has(n));
    if (this.opts.debugBreakNode) breakEpilogue(graph, this.opts.debugBreakNode);
    const t1 = performance.now();
    const tuning = await resolveTuning(this.ctx, this.cache, graph, this.opts.tuning, this.opts.autoTune);
    const executor = await Executor.create(this.ctx, this.cache, graph, { capture, poison: this.opts.poison, tuning });
    if (this.released) {
      executor.release();
      throw new ReleasedError('session');
    }
    p = { graph, executor, passReport, uncaptured, importMs: t1 - t0, createMs: performance.now() - t1 };
    if (this.plans.size >= MAX_PLANS) {
      const [oldest] = this.plans.keys();
      this.plans.get(oldest)!.executor.release();
      this.plans.delete(oldest);
    }
    this.plans.set(key, p);
    return p;
  }

  private validate(feeds: Record<string, Feed>): ValidFeeds {
    const shapes = new Map<string, number[]>();
    const tensors = new Map<string, HostTensor>();
    const gpuFeeds = new Map<string, GpuFeed>();
    if (typeof feeds !== 'object' || feeds === null)
      throw new InputError(
        `run() takes feeds as an object keyed by input name, got ${feeds === null ? 'null' : typeof feeds}`,
      );
    for (const name of Object.keys(feeds)) {
      if (!this.model.inputs.some((i) => i.name === name))
        throw new InputError(
          `unknown input '${name}' (model inputs: ${this.model.inputs.map((i) => i.name).join(', ')})`,
        );
    }
    for (const io of this.model.inputs) {
      const f = feeds[io.name];
      if (!f) throw new InputError(`missing input '${io.name}' (${io.dtype} ${shapeStr(io.dims as number[])})`);
      if (!Array.isArray(f.shape)) throw new InputError(`input '${io.name}': shape must be an array`);
      if (isGpuFeed(f)) {
        checkGpuFeed(io.name, f, io.dtype);
        checkShape(io, f.shape);
        if (this.valueInputs.has(io.name))
          throw new InputError(`input '${io.name}': its value decides the plan, so it must be a host tensor`);
        shapes.set(io.name, [...f.shape]);
        gpuFeeds.set(io.name, { dtype: f.dtype, shape: [...f.shape], buffer: f.buffer });
        continue;
      }
      const dtype = f.dtype ?? io.dtype;
      if (dtype !== io.dtype) throw new InputError(`input '${io.name}' must be ${io.dtype}, got ${dtype}`);
      const want = allocTyped(io.dtype, 0).constructor;
      if (!(f.data instanceof (want as typeof Float32Array)))
        throw new InputError(
          `input '${io.name}' (${io.dtype}) needs a ${want.name}, got ${f.data?.constructor?.name ?? typeof f.data}`,
        );
      checkShape(io, f.shape);
      if (f.data.length !== sizeOf(f.shape))
        throw new InputError(
          `input '${io.name}': data has ${f.data.length} elements, shape ${shapeStr(f.shape)} needs ${sizeOf(f.shape)}`,
        );
      shapes.set(io.name, [...f.shape]);
      // a copy: a queued call must not see the caller reuse its buffer for the next frame
      tensors.set(io.name, { dtype: io.dtype, shape: [...f.shape], data: f.data.slice() });
    }
    return { shapes, tensors, gpuFeeds };
  }

  /**
   * Runs the model; outputs keyed by name. With { outputLocation: 'gpu' } they stay on the GPU as GpuTensors, valid
   * until this session's next run or release (StaleTensorError after that); nothing is read back unless downloaded.
   */
  run(
    feeds: Record<string, Feed>,
    opts?: SessionRunOptions & { outputLocation?: 'cpu' },
  ): Promise<Record<string, HostTensor>>;
  run(
    feeds: Record<string, Feed>,
    opts: SessionRunOptions & { outputLocation: 'gpu' },
  ): Promise<Record<string, GpuTensor>>;
  async run(
    feeds: Record<string, Feed>,
    opts: SessionRunOptions = {},
  ): Promise<Record<string, HostTensor> | Record<string, GpuTensor>> {
    if (opts.outputLocation !== undefined && opts.outputLocation !== 'cpu' && opts.outputLocation !== 'gpu')
      throw new InputError(`outputLocation must be 'cpu' or 'gpu', got '${String(opts.outputLocation)}'`);
    const r = await this.runDetailed(feeds, { outputLocation: opts.outputLocation });
    return r.gpuTensors ?? Object.fromEntries(r.outputs);
  }

  /** Runs with options: per-step GPU timestamps when `profile` is set. */
  async runDetailed(
    feeds: Record<string, Feed>,
    opts: { profile?: boolean; countNonFinite?: boolean; outputLocation?: 'cpu' | 'gpu' } = {},
  ): Promise<RunResult & { plan: Plan; nonFinite?: Record<string, number>; gpuTensors?: Record<string, GpuTensor> }> {
    if (this.released) throw new ReleasedError('session');
    const { shapes, tensors, gpuFeeds } = this.validate(feeds);
    // one call at a time: concurrent first calls must not build duplicate plans, nor evict a plan in use
    const next = this.queue.then(async () => {
      const generation = ++this.generation;
      const plan = await this.planFor(shapes, tensors, gpuFeeds);
      const timings = debugEnabled('timings');
      const all = new Map<string, HostTensor | GpuFeed>([...tensors, ...gpuFeeds]);
      const r = await plan.executor.run(all, {
        profile: (opts.profile ?? false) || timings,
        outputLocation: opts.outputLocation,
      });
      if (timings && r.timings) {
        for (const t of r.timings)
          console.error(`[kestrel] ${t.gpuMs.toFixed(3).padStart(9)} ms  ${t.variant.padEnd(28)} ${t.label}`);
        console.error(`[kestrel] ${(r.gpuMs ?? 0).toFixed(3).padStart(9)} ms  GPU total, ${r.timings.length} steps`);
      }
      if (r.gpuOutputs) return { ...r, plan, gpuTensors: this.residentTensors(plan, r.gpuOutputs, generation) };
      if (!opts.countNonFinite) return { ...r, plan };
      // NaN/Inf in float outputs, counted on the host after readback
      const nonFinite: Record<string, number> = {};
      for (const [name, t] of r.outputs) {
        if (t.dtype !== 'f32') continue;
        let n = 0;
        const d = t.data as Float32Array;
        for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) n++;
        nonFinite[name] = n;
      }
      return { ...r, plan, nonFinite };
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async planFor(
    shapes: Map<string, number[]>,
    tensors: Map<string, HostTensor>,
    gpuFeeds: Map<string, GpuFeed>,
  ): Promise<Plan> {
    try {
      return await this.plan(shapes, tensors);
    } catch (e) {
      if (e instanceof NeedsInputValue && gpuFeeds.has(e.input))
        throw new InputError(`input '${e.input}': its value decides the plan, so it must be a host tensor`);
      throw e;
    }
  }

  private residentTensors(plan: Plan, buffers: Map<string, GPUBuffer>, generation: number): Record<string, GpuTensor> {
    const stale = () =>
      this.released ? 'its session was released' : this.generation !== generation ? 'its session ran again' : null;
    const out: Record<string, GpuTensor> = {};
    for (const [name, buffer] of buffers) {
      const v = plan.graph.values.get(name)!;
      out[name] = new ResidentTensor(this.ctx, name, v.dtype, v.shape, buffer, stale);
    }
    return out;
  }

  /**
   * Re-creates the device, pipelines and weights after a device loss. A session on the app's device (adopted with
   * createGpuContext({ device })) needs the app's new device: recover({ device }).
   */
  async recover(opts: { device?: GPUDevice } = {}): Promise<void> {
    if (this.released) throw new ReleasedError('session');
    if (!opts.device && !this.ctx.owned)
      throw new KestrelError('USAGE', "this session runs on the app's GPUDevice; pass recover({ device }) a new one");
    this.generation++;
    for (const p of this.plans.values()) p.executor.release();
    this.plans.clear();
    const ctx = await createGpuContext({ device: opts.device });
    if (this.ownsContext) this.ctx.destroy(); // already lost; destroy() skips a device Kestrel did not create
    this.ownsContext = true;
    Object.assign(this, { ctx, cache: new PipelineCache(ctx) });
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const p of this.plans.values()) p.executor.release();
    this.plans.clear();
    if (this.ownsContext) this.ctx.destroy();
  }
}

function breakEpilogue(graph: Graph, nodeName: string): void {
  const node = graph.nodes.find((n) => n.name === nodeName || n.origin.includes(nodeName));
  if (!node) throw new KestrelError('USAGE', `debugBreakNode: no node '${nodeName}' in the optimized graph`);
  const e = node.epilogue ?? { act: 'none', alpha: 0, beta: 0 };
  node.epilogue = { ...e, postScale: (e.postScale ?? 1) * 1.5, postShift: (e.postShift ?? 0) * 1.5 };
}

function isModel(x: unknown): x is Model {
  return typeof x === 'object' && x !== null && 'graph' in x && 'opset' in x;
}

export { KestrelError };
