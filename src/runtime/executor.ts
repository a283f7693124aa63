// A planned forward pass for one set of shapes: arena, weights, uniforms, pipelines and bind groups are
// all built here once; run() only writes inputs, encodes every step in one encoder and submits once.
import { DeviceLostError, KestrelError } from '../core/errors.js';
import { fromGpuBytes, toGpuBytes } from '../core/convert.js';
import { sizeOf } from '../core/shape.js';
import type { HostTensor } from '../core/tensor.js';
import type { Graph } from '../ir/graph.js';
import { type MemoryPlan, alignUp, planMemory, type Lifetime } from '../plan/memory.js';
import {
  type Schedule,
  type SelectOverride,
  type Step,
  buildSchedule,
  offsetOf,
  rootOf,
  valueBytes,
} from '../plan/schedule.js';
import type { KernelCaps } from '../kernels/types.js';
import { type GpuContext, assertAlive, withErrorScopes } from './device.js';
import type { PipelineCache } from './pipelines.js';

/** EpilogueParams in shaders/lib/epilogue.wgsl: alpha, beta, post_scale, post_shift, lo, hi, times_input, pad. */
const EPILOGUE_UNIFORM_BYTES = 48;

export interface ExecutorOptions {
  /** Extra values to read back after each run (pinned in the memory plan). */
  capture?: string[];
  /** Fill the arena with NaN before each run, to catch unwritten outputs (tests). */
  poison?: boolean;
  /** Replaces kernel selection per node (kernels-bench variant ladders and tuning). */
  select?: SelectOverride;
}

export interface StepTiming {
  index: number;
  label: string;
  variant: string;
  gpuMs: number;
  /** When the step's pass began, ms after the first step's began (profiles show the gaps between steps). */
  startMs?: number;
}

export interface RunResult {
  outputs: Map<string, HostTensor>;
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

  private isConst(name: string): boolean {
    return this.graph.values.get(rootOf(this.schedule.aliases, name))?.data !== undefined;
  }

  private bytesOf(name: string): number {
    const s = this.schedule.scratch.get(name);
    if (s !== undefined) return s;
    const v = this.graph.values.get(name)!;
    if (this.schedule.packed.has(name)) return v.data!.data.byteLength;
    return valueBytes(v);
  }

  private async build(cache: PipelineCache): Promise<void> {
    const { device } = this.ctx;
    const { steps, aliases } = this.schedule;
    const storageAlign = this.ctx.limits.minStorageBufferOffsetAlignment;
    const uniformAlign = this.ctx.limits.minUniformBufferOffsetAlignment;

    // Liveness over roots of non-constant values.
    const life = new Map<string, Lifetime>();
    const touch = (name: string, i: number) => {
      if (!name || this.isConst(name)) return;
      const root = rootOf(aliases, name);
      const lt = life.get(root) ?? { name: root, bytes: this.bytesOf(root), first: i, last: i };
      lt.first = Math.min(lt.first, i);
      lt.last = Math.max(lt.last, i);
      life.set(root, lt);
    };
    for (const n of this.graph.inputs) touch(n, -1);
    steps.forEach((s, i) => {
      s.bindings.forEach((b) => touch(b, i));
      if (s.epilogue) {
        touch(s.epilogue.scale ?? '', i);
        touch(s.epilogue.bias ?? '', i);
        touch(s.epilogue.residual ?? '', i);
      }
    });
    for (const n of this.readNames) touch(n, Number.POSITIVE_INFINITY);
    const plan = planMemory([...life.values()], storageAlign);

    // Weights: every constant a step reads, packed once into a buffer filled at creation.
    const weightOffsets = new Map<string, number>();
    let weightBytes = 0;
    const constNames = new Set<string>();
    for (const s of steps) {
      for (const b of [...s.bindings, s.epilogue?.scale ?? '', s.epilogue?.bias ?? '', s.epilogue?.residual ?? '']) {
        if (b && this.isConst(b)) constNames.add(rootOf(aliases, b));
      }
    }
    const constBytes = new Map<string, Uint8Array>();
    for (const n of constNames) {
      const data = this.graph.values.get(n)!.data!;
      const bytes = this.schedule.packed.has(n) ? packedBytes(data.data) : toGpuBytes(data, `constant '${n}'`);
      constBytes.set(n, bytes);
      weightOffsets.set(n, weightBytes);
      weightBytes = alignUp(weightBytes + Math.max(bytes.byteLength, 4), storageAlign);
    }
    const weights = this.createBuffer('weights', Math.max(weightBytes, 16), GPUBufferUsage.STORAGE, (m) => {
      for (const [n, bytes] of constBytes) m.set(bytes, weightOffsets.get(n));
    });
    this.arena = this.createBuffer(
      'arena',
      Math.max(plan.arenaBytes, 16),
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    );
    // Separate dummies: two writable bindings of one dispatch must not overlap.
    const dummies: GPUBuffer[] = [];
    const dummy = (slot: number) => (dummies[slot] ??= this.createBuffer(`dummy${slot}`, 16, GPUBufferUsage.STORAGE));

    // Uniforms: every step's params (and epilogue params) in one buffer.
    const uniformOffsets: { params: number; ep: number }[] = [];
    let uniformBytes = 0;
    for (const s of steps) {
      const params = uniformBytes;
      uniformBytes = alignUp(uniformBytes + s.call.params.byteLength, uniformAlign);
      let ep = -1;
      if (s.epilogue) {
        ep = uniformBytes;
        uniformBytes = alignUp(uniformBytes + EPILOGUE_UNIFORM_BYTES, uniformAlign);
      }
      uniformOffsets.push({ params, ep });
    }
    const uniforms = this.createBuffer('uniforms', Math.max(uniformBytes, 16), GPUBufferUsage.UNIFORM, (m) => {
      const f = new DataView(m.buffer, m.byteOffset, m.byteLength);
      steps.forEach((s, i) => {
        m.set(new Uint8Array(s.call.params), uniformOffsets[i].params);
        if (s.epilogue) {
          f.setFloat32(uniformOffsets[i].ep, s.epilogue.alpha, true);
          f.setFloat32(uniformOffsets[i].ep + 4, s.epilogue.beta, true);
          f.setFloat32(uniformOffsets[i].ep + 8, s.epilogue.postScale, true);
          f.setFloat32(uniformOffsets[i].ep + 12, s.epilogue.postShift, true);
          f.setFloat32(uniformOffsets[i].ep + 16, s.epilogue.lo, true);
          f.setFloat32(uniformOffsets[i].ep + 20, s.epilogue.hi, true);
          f.setFloat32(uniformOffsets[i].ep + 24, s.epilogue.timesInput, true);
          f.setFloat32(uniformOffsets[i].ep + 28, s.epilogue.divisor, true);
          const fq = s.epilogue.fakeQuant;
          if (fq)
            [fq.scale, fq.zeroPoint, fq.qmin, fq.qmax].forEach((v, k) =>
              f.setFloat32(uniformOffsets[i].ep + 32 + 4 * k, v, true),
            );
        }
      });
    });

    // Readback staging for outputs and captured values.
    let readBytes = 0;
    for (const n of this.readNames) {
      if (this.isConst(n)) continue;
      this.readOffsets.set(n, readBytes);
      readBytes = alignUp(readBytes + alignUp(this.bytesOf(n), 4), 8);
    }
    this.readback = this.createBuffer(
      'readback',
      Math.max(readBytes, 16),
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
          `kernel ${s.call.variant} gives ${s.bindings.length} bindings, shader ${s.spec.file} declares ${cp.storageBindings}`,
        );
      }
      const main = device.createBindGroup({
        layout: cp.layouts[0],
        label: s.node.name,
        entries: [
          {
            binding: 0,
            resource: { buffer: uniforms, offset: uniformOffsets[i].params, size: s.call.params.byteLength },
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
    this.memory = { ...plan, weightBytes, uniformBytes };
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

  /** Runs once. Calls on one executor are serialized. */
  run(feeds: Map<string, HostTensor>, profile = false): Promise<RunResult> {
    const next = this.chain.then(() => this.runNow(feeds, profile));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async runNow(feeds: Map<string, HostTensor>, profile: boolean): Promise<RunResult> {
    if (this.released) throw new KestrelError('RELEASED', 'this execution plan was released');
    assertAlive(this.ctx);
    const { device } = this.ctx;
    const { aliases } = this.schedule;
    return withErrorScopes(this.ctx, 'run', async () => {
      if (this.opts.poison) {
        device.queue.writeBuffer(this.arena, 0, new Uint8Array(this.arena.size).fill(0xff));
      }
      for (const name of this.graph.inputs) {
        const t = feeds.get(name);
        if (!t) throw new KestrelError('INPUT', `missing input '${name}'`);
        const root = rootOf(aliases, name);
        const off = this.arenaOffsets.get(root);
        if (off === undefined) continue; // input not read by any step
        device.queue.writeBuffer(this.arena, off, toGpuBytes(t, `input '${name}'`) as Uint8Array<ArrayBuffer>);
      }
      const useTimestamps = profile && this.ctx.features.timestampQuery && this.encoded.length > 0;
      const encoder = device.createCommandEncoder({ label: 'kestrel.run' });
      let querySet: GPUQuerySet | null = null;
      let queryResolve: GPUBuffer | null = null;
      let queryRead: GPUBuffer | null = null;
      if (useTimestamps) {
        const count = this.encoded.length * 2;
        querySet = device.createQuerySet({ type: 'timestamp', count });
        queryResolve = device.createBuffer({
          size: count * 8,
          usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
        });
        queryRead = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
        this.encoded.forEach((e, i) => {
          const pass = encoder.beginComputePass({
            timestampWrites: { querySet: querySet!, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
          });
          this.encodeStep(pass, e);
          pass.end();
        });
        encoder.resolveQuerySet(querySet, 0, count, queryResolve, 0);
        encoder.copyBufferToBuffer(queryResolve, 0, queryRead, 0, count * 8);
      } else if (this.encoded.length) {
        const pass = encoder.beginComputePass({ label: 'kestrel.forward' });
        for (const e of this.encoded) this.encodeStep(pass, e);
        pass.end();
      }
      for (const [name, roff] of this.readOffsets) {
        const root = rootOf(aliases, name);
        const size = alignUp(this.bytesOf(root), 4);
        if (size > 0) encoder.copyBufferToBuffer(this.arena, this.arenaOffsets.get(root)!, this.readback, roff, size);
      }
      device.queue.submit([encoder.finish()]);
      try {
        await Promise.all([this.readback.mapAsync(GPUMapMode.READ), queryRead?.mapAsync(GPUMapMode.READ)]);
      } catch (e) {
        assertAlive(this.ctx);
        if (this.released) throw new KestrelError('RELEASED', 'the execution plan was released during the run');
        throw new DeviceLostError(`reading results failed: ${(e as Error).message}`);
      }
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
      const result: RunResult = { outputs };
      if (queryRead) {
        const ts = new BigInt64Array(queryRead.getMappedRange().slice(0));
        queryRead.unmap();
        result.timings = this.schedule.steps.map((s, i) => ({
          index: i,
          label: s.node.name,
          variant: s.call.variant,
          gpuMs: Number(ts[2 * i + 1] - ts[2 * i]) / 1e6,
          startMs: Number(ts[2 * i] - ts[0]) / 1e6,
        }));
        result.gpuMs = Number(ts[ts.length - 1] - ts[0]) / 1e6;
        querySet!.destroy();
        queryResolve!.destroy();
        queryRead.destroy();
      }
      return result;
    });
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

/** The raw bytes of a packed integer constant, padded to a whole number of u32 words. */
function packedBytes(data: HostTensor['data']): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return out;
}
