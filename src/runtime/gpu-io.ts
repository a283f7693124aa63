// GPU-resident inputs and outputs: feeds that already live in a GPUBuffer, and outputs that stay on the GPU until
// downloaded. Their buffers hold the GPU representation: f32, raw f16 halves, integers as i32 words, bools as u32.
import { fromGpuBytes } from '../core/convert.js';
import { type DType, bytesPerElement, gpuDType } from '../core/dtype.js';
import { DeviceLostError, InputError, StaleTensorError } from '../core/errors.js';
import { shapeStr, sizeOf } from '../core/shape.js';
import type { HostTensor } from '../core/tensor.js';
import { alignUp } from '../plan/memory.js';
import { type GpuContext, assertAlive, withErrorScopes } from './device.js';

/** An input already on the GPU: no host copy; it is copied into the arena inside the run's command encoder. */
export interface GpuFeed {
  dtype: DType;
  shape: number[];
  buffer: GPUBuffer;
}

/** An output left on the GPU; valid until its session's next run or release. */
export interface GpuTensor {
  readonly dtype: DType;
  readonly shape: number[];
  readonly buffer: GPUBuffer;
  /** Reads the values back (the only readback a GPU output costs). */
  download(): Promise<HostTensor>;
}

// GPUBufferUsage flags by value: Node has the GPUBufferUsage global only after `webgpu` installs it.
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, STORAGE: 0x80 } as const;
const MAP_MODE_READ = 0x1;
const FEED_USAGE = USAGE.STORAGE | USAGE.COPY_SRC;

export function isGpuFeed(f: unknown): f is GpuFeed {
  return typeof f === 'object' && f !== null && 'buffer' in f && !('data' in f);
}

/** Bytes a value occupies on the GPU (integers as 32-bit words), padded to a multiple of 4. */
export function gpuBytes(dtype: DType, shape: readonly number[]): number {
  return alignUp(Math.ceil(sizeOf(shape) * bytesPerElement(gpuDType(dtype))), 4);
}

/** Synchronous checks of a GPU feed; the device match is checked when a run fails (see findUnusableFeed). */
export function checkGpuFeed(name: string, f: GpuFeed, dtype: DType): void {
  const b = f.buffer as Partial<GPUBuffer> | null;
  if (typeof b !== 'object' || b === null || typeof b.usage !== 'number' || typeof b.size !== 'number')
    throw new InputError(`input '${name}': buffer must be a GPUBuffer`);
  if (f.dtype !== dtype) throw new InputError(`input '${name}' must be ${dtype}, got ${String(f.dtype)}`);
  if ((b.usage & FEED_USAGE) !== FEED_USAGE)
    throw new InputError(
      `input '${name}': its GPUBuffer needs STORAGE | COPY_SRC usage (usage is 0x${b.usage.toString(16)})`,
    );
  const need = gpuBytes(dtype, f.shape);
  if (b.size < need) {
    const words = gpuDType(dtype) !== dtype ? ` (${dtype} is stored as ${gpuDType(dtype)} words on the GPU)` : '';
    throw new InputError(
      `input '${name}': its GPUBuffer has ${b.size} bytes, ${dtype}${shapeStr(f.shape)} needs ${need}${words}`,
    );
  }
  if (b.mapState !== undefined && b.mapState !== 'unmapped')
    throw new InputError(`input '${name}': its GPUBuffer is ${b.mapState}; unmap it before run()`);
}

/** After a failed run: the first GPU feed this device cannot use (another device's, or destroyed), as an InputError. */
export async function findUnusableFeed(ctx: GpuContext, feeds: [string, GpuFeed][]): Promise<InputError | null> {
  const { device } = ctx;
  const scratch = device.createBuffer({ label: 'kestrel.feed-probe', size: 4, usage: USAGE.COPY_DST });
  try {
    for (const [name, f] of feeds) {
      if (f.buffer.size < 4) continue;
      device.pushErrorScope('validation');
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(f.buffer, 0, scratch, 0, 4);
      device.queue.submit([enc.finish()]);
      const err = await device.popErrorScope();
      if (err)
        return new InputError(
          `input '${name}': its GPUBuffer cannot be used on this session's device (from another GPUDevice, or ` +
            `destroyed): ${err.message.split('\n')[0]}`,
        );
    }
  } finally {
    scratch.destroy();
  }
  return null;
}

/** A session's GPU output; `staleReason` says why it may no longer be used (null while valid). */
export class ResidentTensor implements GpuTensor {
  readonly shape: number[];
  constructor(
    private readonly ctx: GpuContext,
    readonly name: string,
    readonly dtype: DType,
    shape: readonly number[],
    private readonly buf: GPUBuffer,
    private readonly staleReason: () => string | null,
  ) {
    this.shape = [...shape];
  }

  get buffer(): GPUBuffer {
    this.check();
    return this.buf;
  }

  private check(): void {
    const why = this.staleReason();
    if (why !== null) throw new StaleTensorError(this.name, why);
  }

  async download(): Promise<HostTensor> {
    this.check();
    return downloadBuffer(this.ctx, this.name, this.dtype, this.shape, this.buf);
  }
}

/** Reads a GPU-representation buffer back as a host tensor (one staging copy, mapped and released). */
export async function downloadBuffer(
  ctx: GpuContext,
  name: string,
  dtype: DType,
  shape: readonly number[],
  buf: GPUBuffer,
): Promise<HostTensor> {
  assertAlive(ctx);
  const { device } = ctx;
  const size = gpuBytes(dtype, shape);
  const n = sizeOf(shape);
  if (size === 0) return { dtype, shape: [...shape], data: fromGpuBytes(new Uint8Array(0), dtype, 0) };
  const staging = device.createBuffer({ label: 'kestrel.download', size, usage: USAGE.MAP_READ | USAGE.COPY_DST });
  try {
    return await withErrorScopes(ctx, `download of '${name}'`, async () => {
      const enc = device.createCommandEncoder({ label: 'kestrel.download' });
      enc.copyBufferToBuffer(buf, 0, staging, 0, size);
      device.queue.submit([enc.finish()]);
      try {
        await staging.mapAsync(MAP_MODE_READ);
      } catch (e) {
        assertAlive(ctx);
        throw new DeviceLostError(`downloading '${name}' failed: ${(e as Error).message}`);
      }
      const data = fromGpuBytes(new Uint8Array(staging.getMappedRange()), dtype, n);
      staging.unmap();
      return { dtype, shape: [...shape], data };
    });
  } finally {
    staging.destroy();
  }
}
