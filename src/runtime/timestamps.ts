// Per-step GPU timestamps: one query pair per compute pass in one query set, resolved and read once per run.
import type { Step } from '../plan/schedule.js';
import type { StepTiming } from './executor.js';

export class StepTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuf: GPUBuffer;
  private readonly readBuf: GPUBuffer;

  constructor(
    device: GPUDevice,
    private readonly count: number,
  ) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * count });
    this.resolveBuf = device.createBuffer({
      size: 16 * count,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.readBuf = device.createBuffer({ size: 16 * count, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Timestamp writes for the pass of step i. */
  writes(i: number): GPUComputePassTimestampWrites {
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  resolve(encoder: GPUCommandEncoder): void {
    encoder.resolveQuerySet(this.querySet, 0, 2 * this.count, this.resolveBuf, 0);
    encoder.copyBufferToBuffer(this.resolveBuf, 0, this.readBuf, 0, 16 * this.count);
  }

  map(): Promise<void> {
    return this.readBuf.mapAsync(GPUMapMode.READ);
  }

  /** After map(): the step timings and the total from the first step's start to the last one's end. */
  read(steps: Step[]): { timings: StepTiming[]; gpuMs: number } {
    const ts = new BigInt64Array(this.readBuf.getMappedRange().slice(0));
    this.readBuf.unmap();
    const timings = steps.map((s, i) => ({
      index: i,
      label: s.node.name,
      variant: s.call.variant,
      gpuMs: Number(ts[2 * i + 1] - ts[2 * i]) / 1e6,
      startMs: Number(ts[2 * i] - ts[0]) / 1e6,
    }));
    return { timings, gpuMs: Number(ts[ts.length - 1] - ts[0]) / 1e6 };
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuf.destroy();
    this.readBuf.destroy();
  }
}
