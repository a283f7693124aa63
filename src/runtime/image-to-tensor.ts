// Camera frames to model inputs without leaving the GPU: an image source is copied into a texture
// (copyExternalImageToTexture), or a GPUTexture is read directly, then shaders/image_to_tensor.wgsl resizes
// (bilinear, half-pixel centers) and normalizes it into a GPUBuffer that feeds Session.run as a GpuFeed.
import { InputError, ShaderCompileError, StaleTensorError } from '../core/errors.js';
import type { HostTensor } from '../core/tensor.js';
import { type GpuContext, assertAlive, withErrorScopes } from './device.js';
import { USAGE, downloadBuffer, gpuBytes, type GpuTensor } from './gpu-io.js';
import { assembleShader } from '../shaders/assemble.js';
import { IMAGE_TO_TENSOR_PARAMS } from '../kernels/uniforms.js';

/** What imageToTensor reads: anything copyExternalImageToTexture takes, or a GPUTexture on the context's device. */
export type ImageSource =
  | ImageBitmap
  | ImageData
  | HTMLImageElement
  | HTMLVideoElement
  | VideoFrame
  | HTMLCanvasElement
  | OffscreenCanvas
  | GPUTexture;

export interface ImageToTensorOptions {
  /** Output size; the source is resized to it (bilinear, half-pixel centers, edge-clamped; no antialiasing). */
  width: number;
  height: number;
  /** Per output channel, on the 0..1 scale: out = (byte / 255 - mean[c]) / std[c]. Default 0 and 1. */
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
  /** Only 'nchw' ([1, 3, height, width]). */
  layout?: 'nchw';
  /** 'f32' (default) or 'f16' (needs the shader-f16 feature). */
  dtype?: 'f32' | 'f16';
  /** Channel order of the output (default 'rgb'; 'bgr' for OpenCV-trained models such as PaddleOCR's). */
  channels?: 'rgb' | 'bgr';
}

/** imageToTensor's result: a GpuTensor the caller owns (it stays valid until destroy()). */
export interface ImageTensor extends GpuTensor {
  /** Frees the GPU buffer; later use throws StaleTensorError. */
  destroy(): void;
}

const TEXTURE_BINDING = 0x04;
const COPY_DST_TEX = 0x02;
const RENDER_ATTACHMENT = 0x10;
const UNIFORM = 0x40;
const WG = 8;
const PARAMS_BYTES = IMAGE_TO_TENSOR_PARAMS.bindingSize;

interface DeviceState {
  pipelines: Map<string, Promise<GPUComputePipeline>>;
  params: GPUBuffer;
  staging: GPUTexture | null;
}
const states = new WeakMap<GPUDevice, DeviceState>();

function stateFor(device: GPUDevice): DeviceState {
  let s = states.get(device);
  if (!s) {
    const params = device.createBuffer({
      label: 'kestrel.image.params',
      size: PARAMS_BYTES,
      usage: UNIFORM | USAGE.COPY_DST,
    });
    s = { pipelines: new Map(), params, staging: null };
    states.set(device, s);
  }
  return s;
}

type Kernel = 'image_to_tensor.wgsl' | 'image_to_tensor_external.wgsl';

function pipelineFor(device: GPUDevice, file: Kernel, dtype: 'f32' | 'f16'): Promise<GPUComputePipeline> {
  const s = stateFor(device);
  const key = `${file}|${dtype}`;
  let p = s.pipelines.get(key);
  if (!p) {
    const code = assembleShader({ file, prelude: { elem_t: dtype } });
    const module = device.createShaderModule({ code, label: file });
    p = device.createComputePipelineAsync({
      label: `kestrel.${file}.${dtype}`,
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants: { WG_X: WG, WG_Y: WG } },
    });
    // a failed compile is not cached: the next call reports it again
    p.catch(() => s.pipelines.delete(key));
    s.pipelines.set(key, p);
  }
  return p;
}

const isTexture = (s: unknown): s is GPUTexture =>
  typeof s === 'object' && s !== null && typeof (s as GPUTexture).createView === 'function';

const typeName = (s: unknown): string =>
  s === null ? 'null' : typeof s === 'object' ? (s.constructor?.name ?? 'Object') : typeof s;

/** The pixel size of an external source, or an InputError naming what is wrong with it. */
function externalSize(source: object): { width: number; height: number } {
  const has = (name: string) => typeof (globalThis as Record<string, unknown>)[name] === 'function';
  const is = (name: string) => has(name) && source instanceof ((globalThis as Record<string, unknown>)[name] as never);
  if (is('VideoFrame')) {
    const f = source as VideoFrame;
    if (f.format === null) throw new InputError('imageToTensor: the VideoFrame is closed');
    return { width: f.displayWidth, height: f.displayHeight };
  }
  if (is('HTMLVideoElement')) {
    const v = source as HTMLVideoElement;
    if (v.readyState < 2 || v.videoWidth === 0)
      throw new InputError(`imageToTensor: the video has no current frame yet (readyState ${v.readyState})`);
    return { width: v.videoWidth, height: v.videoHeight };
  }
  if (is('HTMLImageElement')) {
    const img = source as HTMLImageElement;
    if (!img.complete || img.naturalWidth === 0) throw new InputError('imageToTensor: the image has not loaded');
    return { width: img.naturalWidth, height: img.naturalHeight };
  }
  for (const name of ['ImageBitmap', 'ImageData', 'HTMLCanvasElement', 'OffscreenCanvas'])
    if (is(name)) return { width: (source as ImageBitmap).width, height: (source as ImageBitmap).height };
  throw new InputError(
    `imageToTensor: unsupported source ${typeName(source)}; expected ImageBitmap, ImageData, HTMLImageElement, ` +
      'HTMLVideoElement, VideoFrame, HTMLCanvasElement, OffscreenCanvas or GPUTexture',
  );
}

const FLOAT_FORMAT = /^(r|rg|rgba|bgra)(8unorm|8snorm|16float|32float)(-srgb)?$|^rgb10a2unorm$|^rg11b10ufloat$/;

function checkOptions(ctx: GpuContext, o: ImageToTensorOptions): void {
  const max = ctx.limits.maxTextureDimension2D;
  for (const k of ['width', 'height'] as const) {
    const v = o[k];
    if (!Number.isInteger(v) || v < 1 || v > max)
      throw new InputError(`imageToTensor: ${k} must be an integer in 1..${max}, got ${String(v)}`);
  }
  if (o.layout !== undefined && o.layout !== 'nchw')
    throw new InputError(`imageToTensor: layout '${String(o.layout)}' is not supported (only 'nchw')`);
  const dtype = o.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f16')
    throw new InputError(`imageToTensor: dtype '${String(dtype)}' is not supported ('f32' or 'f16')`);
  if (dtype === 'f16' && !ctx.features.shaderF16)
    throw new InputError("imageToTensor: dtype 'f16' needs the shader-f16 feature, which this device lacks");
  if (o.channels !== undefined && o.channels !== 'rgb' && o.channels !== 'bgr')
    throw new InputError(`imageToTensor: channels '${String(o.channels)}' is not supported ('rgb' or 'bgr')`);
  for (const k of ['mean', 'std'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))
      throw new InputError(`imageToTensor: ${k} must be 3 finite numbers, got ${JSON.stringify(v)}`);
    if (k === 'std' && v.some((x) => x === 0)) throw new InputError('imageToTensor: std must not contain 0');
  }
  const bytes = gpuBytes(dtype, [1, 3, o.height, o.width]);
  if (bytes > ctx.limits.maxStorageBufferBindingSize)
    throw new InputError(
      `imageToTensor: a ${o.width}x${o.height} ${dtype} tensor needs ${bytes} bytes, over this device's ` +
        `maxStorageBufferBindingSize ${ctx.limits.maxStorageBufferBindingSize}`,
    );
}

const isVideo = (source: object): boolean =>
  ['VideoFrame', 'HTMLVideoElement'].some((name) => {
    const C = (globalThis as Record<string, unknown>)[name];
    return typeof C === 'function' && source instanceof (C as never);
  });

/**
 * What the shader reads: a GPUTexture itself; a video frame imported as an external texture (no copy); any other
 * source copied into a reused rgba8unorm staging texture. Called inside the run's error scopes.
 */
function bindSource(ctx: GpuContext, source: ImageSource, external: boolean): GPUTextureView | GPUExternalTexture {
  const { device } = ctx;
  if (isTexture(source)) {
    if (!FLOAT_FORMAT.test(source.format))
      throw new InputError(`imageToTensor: GPUTexture format '${source.format}' cannot be read as float color`);
    if ((source.usage & TEXTURE_BINDING) === 0)
      throw new InputError(
        `imageToTensor: the GPUTexture needs TEXTURE_BINDING usage (usage is 0x${source.usage.toString(16)})`,
      );
    if (source.dimension !== '2d' || source.sampleCount !== 1)
      throw new InputError(`imageToTensor: the GPUTexture must be 2d and single-sampled`);
    return source.createView();
  }
  if (typeof source !== 'object' || source === null || typeof device.queue.copyExternalImageToTexture !== 'function')
    throw new InputError(
      typeof source === 'object' && source !== null
        ? `imageToTensor: this WebGPU implementation cannot copy a ${typeName(source)} (no ` +
            `copyExternalImageToTexture); pass a GPUTexture`
        : `imageToTensor: unsupported source ${typeName(source)}`,
    );
  const size = externalSize(source);
  const max = ctx.limits.maxTextureDimension2D;
  if (size.width < 1 || size.height < 1 || size.width > max || size.height > max)
    throw new InputError(`imageToTensor: source size ${size.width}x${size.height} is outside 1..${max}`);
  if (external) return device.importExternalTexture({ source: source as VideoFrame | HTMLVideoElement });
  const s = stateFor(device);
  if (!s.staging || s.staging.width !== size.width || s.staging.height !== size.height) {
    s.staging?.destroy();
    s.staging = device.createTexture({
      label: 'kestrel.image.staging',
      size: [size.width, size.height],
      format: 'rgba8unorm',
      usage: TEXTURE_BINDING | COPY_DST_TEX | RENDER_ATTACHMENT,
    });
  }
  device.queue.copyExternalImageToTexture({ source: source }, { texture: s.staging }, [size.width, size.height]);
  return s.staging.createView();
}

/**
 * Resizes and normalizes an image on the GPU into a [1, 3, height, width] tensor (see ImageToTensorOptions for
 * the exact sampling); the result feeds Session.run directly. Nothing is read back unless you download() it.
 */
export async function imageToTensor(
  ctx: GpuContext,
  source: ImageSource,
  options: ImageToTensorOptions,
): Promise<ImageTensor> {
  try {
    return await convert(ctx, source, options, true);
  } catch (e) {
    // a browser that cannot hand this video frame to WebGPU (headless Chromium on SwiftShader refuses both
    // importExternalTexture and copyExternalImageToTexture) still decodes it into an ImageBitmap
    if (!(isDomOperationError(e) && isVideo(source) && typeof createImageBitmap === 'function')) throw e;
    const bitmap = await createImageBitmap(source as VideoFrame);
    try {
      return await convert(ctx, bitmap, options, false);
    } finally {
      bitmap.close();
    }
  }
}

// a DOMException from the browser; KestrelErrors are named after their class
const isDomOperationError = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'OperationError';

async function convert(
  ctx: GpuContext,
  source: ImageSource,
  options: ImageToTensorOptions,
  allowImport: boolean,
): Promise<ImageTensor> {
  assertAlive(ctx);
  if (typeof options !== 'object' || options === null)
    throw new InputError('imageToTensor: options { width, height } are required');
  checkOptions(ctx, options);
  const { device } = ctx;
  const dtype = options.dtype ?? 'f32';
  const { width, height } = options;
  const shape = [1, 3, height, width];
  const external =
    allowImport &&
    typeof source === 'object' &&
    source !== null &&
    !isTexture(source) &&
    isVideo(source) &&
    typeof device.importExternalTexture === 'function';
  const kernel: Kernel = external ? 'image_to_tensor_external.wgsl' : 'image_to_tensor.wgsl';
  // compiled before the external texture is imported: a video frame's import expires at the next task
  const pipeline = await pipelineFor(device, kernel, dtype).catch((e: Error) => {
    throw new ShaderCompileError(kernel, [e.message]);
  });
  return withErrorScopes(ctx, 'imageToTensor', () => {
    const resource = bindSource(ctx, source, external);
    const s = stateFor(device);
    const mean = options.mean ?? [0, 0, 0];
    const std = options.std ?? [1, 1, 1];
    const params = IMAGE_TO_TENSOR_PARAMS.pack({
      dstW: width,
      dstH: height,
      bgr: options.channels === 'bgr' ? 1 : 0,
      mean: [...mean, 0],
      stddev: [...std, 1],
    });
    device.queue.writeBuffer(s.params, 0, params.bytes);
    const out = device.createBuffer({
      label: 'kestrel.image.tensor',
      size: gpuBytes(dtype, shape),
      usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST,
    });
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: s.params } },
        { binding: 1, resource: { buffer: out } },
        { binding: 2, resource },
      ],
    });
    const enc = device.createCommandEncoder({ label: 'kestrel.image_to_tensor' });
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.ceil(width / WG), Math.ceil(height / WG));
    pass.end();
    device.queue.submit([enc.finish()]);
    return new FrameTensor(ctx, dtype, shape, out);
  });
}

class FrameTensor implements ImageTensor {
  private destroyed = false;
  constructor(
    private readonly ctx: GpuContext,
    readonly dtype: 'f32' | 'f16',
    readonly shape: number[],
    private readonly buf: GPUBuffer,
  ) {}

  get buffer(): GPUBuffer {
    this.check();
    return this.buf;
  }

  private check(): void {
    if (this.destroyed) throw new StaleTensorError('imageToTensor', 'destroy() was called');
  }

  download(): Promise<HostTensor> {
    this.check();
    return downloadBuffer(this.ctx, 'imageToTensor', this.dtype, this.shape, this.buf);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.buf.destroy();
  }
}
