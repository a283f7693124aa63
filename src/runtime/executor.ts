// A planned forward pass for one set of shapes: the buffers src/plan/layout.ts laid out (arena, weights, uniforms,
// readback), pipelines and bind groups are all built here once; run() only writes inputs, encodes every step in one
// encoder and submits once.
import { DeviceLostError, GpuValidationError, KestrelError } from '../core/errors.js';
import { fromGpuBytes, toGpuBytes } from '../core/convert.js';
import { sizeOf } from '../core/shape.js';
import type { HostTensor } from '../core/tensor.js';
import type { Graph } from '../ir/graph.js';
import { type MemoryPlan, alignUp } from '../plan/memory.js';
import { EPILOGUE_UNIFORM_BYTES, layoutBuffers, storedBytes } from '../plan/layout.js';
import {
  type EpilogueBinding,
  type Schedule,
  type SelectOverride,
  type Step,
  buildSchedule,
  offsetOf,
  rootOf,
} from '../plan/schedule.js';
import type { UniformBytes } from '../core/uniform-struct.js';
import type { KernelCaps } from '../kernels/types.js';
import type { TuningLookup } from '../kernels/tuning.js';
import { shippedTuning } from './tuning/lookup.js';
import { EPILOGUE_PARAMS } from '../kernels/uniforms.js';
import { type GpuContext, assertAlive, withErrorScopes } from './device.js';
import { type GpuFeed, USAGE, findUnusableFeed, gpuBytes, isGpuFeed } from './gpu-io.js';
import type { PipelineCache } from './pipelines.js';
import { StepTimer } from './timestamps.js';

export interface ExecutorOptions {
  /** Extra values to read back after each run (pinned in the memory plan). */
  capture?: string[];
  /** Fill the arena with NaN before each run, to catch unwritten outputs (tests). */
  poison?: boolean;
  /** Replaces kernel selection per node (kernels-bench variant ladders). */
  select?: SelectOverride;
  /** Picks among tunable kernels' candidates; see runtime/tuning (default: the adapter's shipped profile). */
  tuning?: TuningLookup;
}

export interface StepTiming {
  index: number;
  label: string;
  variant: string;
  gpuMs: number;
  /** When the step's pass began, ms after the first step's began (profiles show the gaps between steps). */
  startMs?: number;
}

export interface RunOptions {
  /** Per-step GPU timestamps (when the adapter has them). */
  profile?: boolean;
  /** 'gpu': copy outputs into buffers that stay on the GPU (RunResult.gpuOutputs), read nothing back. */
  outputLocation?: 'cpu' | 'gpu';
}

export interface RunResult {
  /** Host outputs (empty when outputLocation is 'gpu'). */
  outputs: Map<string, HostTensor>;
  /** GPU outputs, reused by this executor's next GPU-output run. */
  gpuOutputs?: Map<string, GPUBuffer>;
  /** Per-step GPU times (timestamp queries), when profiling was asked and the adapter has them. */
  timings?: StepTiming[];
  gpuMs?: number;
}

export interface MemoryReport extends MemoryPlan {
  weightBytes: number;
  uniformBytes: number;
}

export function kernelCaps(ctx: GpuContext): KernelCaps {
  return {
    f16: ctx.features.shaderF16,
    subgroups: ctx.features.subgroups,
    dot4: ctx.features.dot4,
    maxWorkgroupsPerDim: ctx.limits.maxComputeWorkgroupsPerDimension,
  };
}

/** Bytes of GPU buffers executors created and destroyed, process-wide (leak tests read `live`). */
export const gpuMemoryStats = {
  created: 0,
  destroyed: 0,
  get live(): number {
    return this.created - this.destroyed;
  },
};

interface Encoded {
  pipeline: GPUComputePipeline;
  groups: GPUBindGroup[];
  workgroups: [number, number, number];
}

export class Executor {
  private encoded: Encoded[] = [];
  private buffers: GPUBuffer[] = [];
  private arena!: GPUBuffer;
  private readback!: GPUBuffer;
  private gpuOut: Map<string, GPUBuffer> | null = null;
  private readOffsets = new Map<string, number>();
  private chain: Promise<unknown> = Promise.resolve();
  private released = false;
  memory!: MemoryReport;
  readonly readNames: string[];

  private constructor(
    readonly ctx: GpuContext,
    readonly graph: Graph,
    readonly schedule: Schedule,
    private readonly opts: ExecutorOptions,
  ) {
    this.readNames = [...new Set([...graph.outputs, ...(opts.capture ?? [])])];
  }

  get steps(): Step[] {
    return this.schedule.steps;
  }

  static async create(
    ctx: GpuContext,
    cache: PipelineCache,
    graph: Graph,
    opts: ExecutorOptions = {},
  ): Promise<Executor> {
    assertAlive(ctx);
    const keep = new Set([...graph.outputs, ...(opts.capture ?? [])]);
    const schedule = buildSchedule(graph, kernelCaps(ctx), opts.select, {
      align: ctx.limits.minStorageBufferOffsetAlignment,
      keep,
      tuning: opts.tuning ?? shippedTuning(ctx),
    });
    const ex = new Executor(ctx, graph, schedule, opts);
    try {
      await withErrorScopes(ctx, 'building the execution plan', () => ex.build(cache));
    } catch (e) {
      ex.release(); // buffers made before the failure would otherwise leak
      throw e;
    }
    return ex;
  }

  private bytesOf(name: string): number {
    return storedBytes(this.graph, this.schedule, name);
  }

  private async build(cache: PipelineCache): Promise<void> {
    const { device } = this.ctx;
    const { steps, aliases } = this.schedule;
    const layout = layoutBuffers(this.graph, this.schedule, this.readNames, {
      storage: this.ctx.limits.minStorageBufferOffsetAlignment,
      uniform: this.ctx.limits.minUniformBufferOffsetAlignment,
    });
    const plan = layout.arena;
    const weightOffsets = layout.weights.offsets;
    const weights = this.createBuffer('weights', Math.max(layout.weights.bytes, 16), GPUBufferUsage.STORAGE, (m) => {
      for (const [n, bytes] of layout.weights.data) m.set(bytes, weightOffsets.get(n));
    });
    this.arena = this.createBuffer(
      'arena',
      Math.max(plan.arenaBytes, 16),
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    );
    // Separate dummies: two writable bindings of one dispatch must not overlap.
    const dummies: GPUBuffer[] = [];
    const dummy = (slot: number) => (dummies[slot] ??= this.createBuffer(`dummy${slot}`, 16, GPUBufferUsage.STORAGE));

    const uniformOffsets = layout.uniforms.offsets;
    const uniforms = this.createBuffer('uniforms', Math.max(layout.uniforms.bytes, 16), GPUBufferUsage.UNIFORM, (m) => {
      steps.forEach((s, i) => {
        m.set(new Uint8Array(s.call.params.bytes), uniformOffsets[i].params);
        if (s.epilogue) m.set(new Uint8Array(epilogueParams(s.epilogue).bytes), uniformOffsets[i].ep);
      });
    });

    this.readOffsets = layout.readback.offsets;
    this.readback = this.createBuffer(
      'readback',
      Math.max(layout.readback.bytes, 16),
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    );
    this.arenaOffsets = plan.offsets;

    const entryFor = (name: string | null, slot = 0): GPUBufferBinding => {
      if (!name) return { buffer: dummy(slot), offset: 0, size: 16 };
      const root = rootOf(aliases, name);
      // a view has its root's size; an in-place concat slab is its own part of the root
      const size = alignUp(this.bytesOf(name), 4);
      if (size === 0) return { buffer: dummy(slot), offset: 0, size: 16 };
      if (weightOffsets.has(root)) return { buffer: weights, offset: weightOffsets.get(root)!, size };
      return { buffer: this.arena, offset: plan.offsets.get(root)! + offsetOf(this.schedule, name), size };
    };

    const compiled = await Promise.all(steps.map((s) => cache.get(s.spec)));
    this.encoded = steps.map((s, i) => {
      const cp = compiled[i];
      if (cp.storageBindings !== s.bindings.length) {
        throw new KestrelError(
          'USAGE',
          `kernel ${s.call.variant} gives ${s.bindings.length} bindings, shader ${s.spec.file} declares ` +
            `${cp.storageBindings}`,
        );
      }
      const main = device.createBindGroup({
        layout: cp.layouts[0],
        label: s.node.name,
        entries: [
          {
            binding: 0,
            resource: { buffer: uniforms, offset: uniformOffsets[i].params, size: s.call.params.bytes.byteLength },
          },
          ...s.bindings.map((b, k) => ({ binding: k + 1, resource: entryFor(b, k + 3) })),
        ],
      });
      const groups = [main];
      if (cp.usesEpilogue) {
        groups.push(
          device.createBindGroup({
            layout: cp.layouts[1],
            entries: [
              { binding: 0, resource: entryFor(s.epilogue?.bias ?? null, 1) },
              { binding: 1, resource: entryFor(s.epilogue?.residual ?? null, 2) },
              {
                binding: 2,
                resource: { buffer: uniforms, offset: Math.max(uniformOffsets[i].ep, 0), size: EPILOGUE_UNIFORM_BYTES },
              },
              { binding: 3, resource: entryFor(s.epilogue?.scale ?? null, 0) },
            ],
          }),
        );
      }
      return { pipeline: cp.pipeline, groups, workgroups: s.call.workgroups };
    });
    this.memory = { ...plan, weightBytes: layout.weights.bytes, uniformBytes: layout.uniforms.bytes };
  }

  private arenaOffsets = new Map<string, number>();

  private createBuffer(label: string, size: number, usage: number, fill?: (m: Uint8Array) => void): GPUBuffer {
    const buf = this.ctx.device.createBuffer({ label, size: alignUp(size, 4), usage, mappedAtCreation: !!fill });
    gpuMemoryStats.created += buf.size;
    if (fill) {
      fill(new Uint8Array(buf.getMappedRange()));
      buf.unmap();
    }
    this.buffers.push(buf);
    return buf;
  }

  /** Runs once (`true` as the second argument is short for { profile: true }). Calls on one executor are serialized. */
  run(feeds: Map<string, HostTensor | GpuFeed>, options: RunOptions | boolean = {}): Promise<RunResult> {
    const opts = typeof options === 'boolean' ? { profile: options } : options;
    const next = this.chain.then(() => this.runNow(feeds, opts));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async runNow(feeds: Map<string, HostTensor | GpuFeed>, opts: RunOptions): Promise<RunResult> {
    if (this.released) throw new KestrelError('RELEASED', 'this execution plan was released');
    assertAlive(this.ctx);
    const gpuFeeds = [...feeds].filter((e): e is [string, GpuFeed] => isGpuFeed(e[1]));
    try {
      return await withErrorScopes(this.ctx, 'run', () => this.encodeAndSubmit(feeds, opts));
    } catch (e) {
      // name the input when a GPU feed was the invalid part (another device's buffer, or a destroyed one)
      if (e instanceof GpuValidationError && gpuFeeds.length) throw (await findUnusableFeed(this.ctx, gpuFeeds)) ?? e;
      throw e;
    }
  }

  private async encodeAndSubmit(feeds: Map<string, HostTensor | GpuFeed>, opts: RunOptions): Promise<RunResult> {
    const { device } = this.ctx;
    const { aliases } = this.schedule;
    const onGpu = opts.outputLocation === 'gpu';
    if (this.opts.poison) device.queue.writeBuffer(this.arena, 0, new Uint8Array(this.arena.size).fill(0xff));
    const encoder = device.createCommandEncoder({ label: 'kestrel.run' });
    for (const name of this.graph.inputs) {
      const t = feeds.get(name);
      if (!t) throw new KestrelError('INPUT', `missing input '${name}'`);
      const off = this.arenaOffsets.get(rootOf(aliases, name));
      if (off === undefined) continue; // input not read by any step
      if (isGpuFeed(t)) {
        const size = gpuBytes(t.dtype, t.shape);
        if (size) encoder.copyBufferToBuffer(t.buffer, 0, this.arena, off, size);
      } else device.queue.writeBuffer(this.arena, off, toGpuBytes(t, `input '${name}'`) as Uint8Array<ArrayBuffer>);
    }
    const timer =
      opts.profile && this.ctx.features.timestampQuery && this.encoded.length
        ? new StepTimer(device, this.encoded.length)
        : null;
    if (timer) {
      this.encoded.forEach((e, i) => {
        const pass = encoder.beginComputePass({ timestampWrites: timer.writes(i) });
        this.encodeStep(pass, e);
        pass.end();
      });
      timer.resolve(encoder);
    } else if (this.encoded.length) {
      const pass = encoder.beginComputePass({ label: 'kestrel.forward' });
      for (const e of this.encoded) this.encodeStep(pass, e);
      pass.end();
    }
    const outBuffers = onGpu ? this.outputBuffers() : null;
    for (const [name, roff] of this.readOffsets) {
      const root = rootOf(aliases, name);
      const size = alignUp(this.bytesOf(root), 4);
      const from = this.arenaOffsets.get(root)!;
      if (size === 0) continue;
      if (outBuffers) encoder.copyBufferToBuffer(this.arena, from, outBuffers.get(name)!, 0, size);
      else encoder.copyBufferToBuffer(this.arena, from, this.readback, roff, size);
    }
    device.queue.submit([encoder.finish()]);
    const result: RunResult = { outputs: new Map() };
    try {
      await Promise.all([onGpu ? null : this.readback.mapAsync(GPUMapMode.READ), timer?.map()]);
    } catch (e) {
      timer?.destroy();
      assertAlive(this.ctx);
      if (this.released) throw new KestrelError('RELEASED', 'the execution plan was released during the run');
      throw new DeviceLostError(`reading results failed: ${(e as Error).message}`);
    }
    if (outBuffers) result.gpuOutputs = outBuffers;
    else result.outputs = this.decodeReadback();
    if (timer) {
      Object.assign(result, timer.read(this.schedule.steps));
      timer.destroy();
    }
    return result;
  }

  private decodeReadback(): Map<string, HostTensor> {
    const { aliases } = this.schedule;
    const mapped = new Uint8Array(this.readback.getMappedRange());
    const outputs = new Map<string, HostTensor>();
    for (const name of this.readNames) {
      const v = this.graph.values.get(name)!;
      const root = this.graph.values.get(rootOf(aliases, name))!;
      if (root.data) {
        outputs.set(name, { dtype: v.dtype, shape: [...v.shape], data: root.data.data.slice() });
        continue;
      }
      const roff = this.readOffsets.get(name)!;
      const n = sizeOf(v.shape);
      outputs.set(name, {
        dtype: v.dtype,
        shape: [...v.shape],
        data: fromGpuBytes(mapped.subarray(roff, roff + alignUp(this.bytesOf(root.name), 4)), v.dtype, n),
      });
    }
    this.readback.unmap();
    return outputs;
  }

  /** One buffer per read value, made at the first GPU-output run and reused: outputs stay valid until the next run. */
  private outputBuffers(): Map<string, GPUBuffer> {
    if (this.gpuOut) return this.gpuOut;
    const out = new Map<string, GPUBuffer>();
    const usage = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;
    for (const name of this.readNames) {
      const v = this.graph.values.get(name)!;
      const root = this.graph.values.get(rootOf(this.schedule.aliases, name))!;
      const size = Math.max(gpuBytes(v.dtype, v.shape), 4);
      const fill = root.data ? (m: Uint8Array) => m.set(toGpuBytes(root.data!, `output '${name}'`)) : undefined;
      out.set(name, this.createBuffer(`output:${name}`, size, usage, fill));
    }
    this.gpuOut = out;
    return out;
  }

  private encodeStep(pass: GPUComputePassEncoder, e: Encoded): void {
    if (e.workgroups[0] * e.workgroups[1] * e.workgroups[2] === 0) return;
    pass.setPipeline(e.pipeline);
    e.groups.forEach((g, i) => pass.setBindGroup(i, g));
    pass.dispatchWorkgroups(...e.workgroups);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const b of this.buffers) {
      gpuMemoryStats.destroyed += b.size;
      b.destroy();
    }
    this.buffers = [];
  }
}

function epilogueParams(e: EpilogueBinding): UniformBytes {
  const fq = e.fakeQuant;
  return EPILOGUE_PARAMS.pack({
    actAffine: [e.alpha, e.beta, e.postScale, e.postShift],
    actRange: [e.lo, e.hi, e.timesInput, e.divisor],
    fakeQuant: fq ? [fq.scale, fq.zeroPoint, fq.qmin, fq.qmax] : [],
  });
}
