// Times raw dispatches outside a plan: the adapter ceilings and bench rungs that are not library kernels.
import type { GpuContext } from '../runtime/device.js';
import type { PipelineCache } from '../runtime/pipelines.js';
import { KestrelError } from '../core/errors.js';
import type { UniformBytes } from '../core/uniform-struct.js';
import { type ShaderSpec, shaderHeader } from '../shaders/assemble.js';

export interface Dispatch {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  workgroups: [number, number, number];
}

export type TimingSource = 'timestamp' | 'wall-clock';

/** A compiled kernel bound to a params uniform and storage buffers 1..n (the shader-file conventions). */
export async function prepareDispatch(
  ctx: GpuContext,
  cache: PipelineCache,
  spec: ShaderSpec,
  params: UniformBytes,
  storage: GPUBuffer[],
  workgroups: [number, number, number],
): Promise<Dispatch> {
  const reads = shaderHeader(spec.file).params;
  if (params.struct !== reads)
    throw new KestrelError('USAGE', `params packed as ${params.struct} but shaders/${spec.file} reads ${reads}`);
  const cp = await cache.get(spec);
  const uniform = ctx.device.createBuffer({
    size: Math.max(16, params.bytes.byteLength),
    usage: GPUBufferUsage.UNIFORM,
    mappedAtCreation: true,
  });
  new Uint8Array(uniform.getMappedRange()).set(new Uint8Array(params.bytes));
  uniform.unmap();
  const group = ctx.device.createBindGroup({
    layout: cp.layouts[0],
    entries: [
      { binding: 0, resource: { buffer: uniform } },
      ...storage.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
    ],
  });
  return { pipeline: cp.pipeline, group, workgroups };
}

export function storageBuffer(ctx: GpuContext, bytes: number, fill?: (f: Float32Array) => void): GPUBuffer {
  const buf = ctx.device.createBuffer({
    size: Math.max(16, Math.ceil(bytes / 16) * 16),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    mappedAtCreation: !!fill,
  });
  if (fill) {
    fill(new Float32Array(buf.getMappedRange()));
    buf.unmap();
  }
  return buf;
}

/** One query set per sample: begin and end of a single pass. */
class PassTimer {
  private readonly qs: GPUQuerySet;
  private readonly resolve: GPUBuffer;
  private readonly read: GPUBuffer;
  constructor(device: GPUDevice) {
    this.qs = device.createQuerySet({ type: 'timestamp', count: 2 });
    this.resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.read = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }
  writes(): GPUComputePassTimestampWrites {
    return { querySet: this.qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 };
  }
  finish(encoder: GPUCommandEncoder): void {
    encoder.resolveQuerySet(this.qs, 0, 2, this.resolve, 0);
    encoder.copyBufferToBuffer(this.resolve, 0, this.read, 0, 16);
  }
  async ms(): Promise<number> {
    await this.read.mapAsync(GPUMapMode.READ);
    const t = new BigInt64Array(this.read.getMappedRange().slice(0));
    this.read.unmap();
    return Number(t[1] - t[0]) / 1e6;
  }
  destroy(): void {
    this.qs.destroy();
    this.resolve.destroy();
    this.read.destroy();
  }
}

/**
 * Runs `repeat` copies of the dispatch list in one pass and one submit per sample, and returns the time of
 * each sample in ms: GPU timestamps around the pass when the device has them, else wall-clock to completion.
 */
export async function timeDispatches(
  ctx: GpuContext,
  list: Dispatch[],
  samples: number,
  repeat = 1,
  useTimestamps = true,
): Promise<{ ms: number[]; source: TimingSource }> {
  const { device } = ctx;
  const timer = useTimestamps && ctx.features.timestampQuery ? new PassTimer(device) : null;
  const ms: number[] = [];
  try {
    for (let s = 0; s < samples; s++) {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass(timer ? { timestampWrites: timer.writes() } : {});
      for (let r = 0; r < repeat; r++) {
        for (const d of list) {
          pass.setPipeline(d.pipeline);
          pass.setBindGroup(0, d.group);
          pass.dispatchWorkgroups(...d.workgroups);
        }
      }
      pass.end();
      timer?.finish(encoder);
      const t0 = performance.now();
      device.queue.submit([encoder.finish()]);
      if (timer) ms.push(await timer.ms());
      else {
        await device.queue.onSubmittedWorkDone();
        ms.push(performance.now() - t0);
      }
    }
  } finally {
    timer?.destroy();
  }
  return { ms, source: timer ? 'timestamp' : 'wall-clock' };
}
