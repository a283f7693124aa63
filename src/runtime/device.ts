// One way to get a GPUDevice in Node (Dawn via the `webgpu` package) and in a browser (navigator.gpu).
import { DeviceLostError, GpuValidationError, NoAdapterError } from '../core/errors.js';

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export interface GpuFeatures {
  shaderF16: boolean;
  subgroups: boolean;
  timestampQuery: boolean;
  dot4: boolean;
}

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly info: AdapterDescription;
  readonly features: GpuFeatures;
  readonly limits: GPUSupportedLimits;
  /** Set once the device is lost; every later use throws DeviceLostError. */
  lostReason: string | null;
  destroy(): void;
}

export interface DeviceOptions {
  powerPreference?: GPUPowerPreference;
  /** Request f16 when the adapter has it (default true). */
  allowF16?: boolean;
}

// dawn.node segfaults if the object from create() is collected with work pending: keep every one alive.
const keepAlive: unknown[] = [];

async function getGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const modName = 'webgpu';
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    mod = await import(/* @vite-ignore */ modName);
  } catch (e) {
    throw new NoAdapterError(`no navigator.gpu and the 'webgpu' package could not be loaded: ${(e as Error).message}`);
  }
  for (const [k, v] of Object.entries(mod.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  const gpu = mod.create(['disable-dawn-features=timestamp_quantization']);
  keepAlive.push(gpu);
  return gpu;
}

export async function createGpuContext(opts: DeviceOptions = {}): Promise<GpuContext> {
  const gpu = await getGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new NoAdapterError('no WebGPU adapter found; run scripts/setup-webgpu.sh (installs Mesa lavapipe on Debian)');
  }
  keepAlive.push(adapter);
  const want: GPUFeatureName[] = [];
  const has = (f: string) => adapter.features.has(f);
  if (has('shader-f16') && opts.allowF16 !== false) want.push('shader-f16');
  if (has('timestamp-query')) want.push('timestamp-query');
  if (has('subgroups')) want.push('subgroups');
  const L = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: want,
    requiredLimits: {
      maxStorageBufferBindingSize: L.maxStorageBufferBindingSize,
      maxBufferSize: L.maxBufferSize,
      maxStorageBuffersPerShaderStage: L.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: L.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: L.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: L.maxComputeWorkgroupSizeX,
      // smaller offset alignments pack the arena and the uniform buffer tighter
      minStorageBufferOffsetAlignment: L.minStorageBufferOffsetAlignment,
      minUniformBufferOffsetAlignment: L.minUniformBufferOffsetAlignment,
    },
  });
  keepAlive.push(device);
  const ai = adapter.info ?? ({} as GPUAdapterInfo);
  const wgsl = (gpu as GPU & { wgslLanguageFeatures?: ReadonlySet<string> }).wgslLanguageFeatures;
  const ctx: GpuContext = {
    device,
    adapter,
    info: {
      vendor: ai.vendor ?? '',
      architecture: ai.architecture ?? '',
      device: ai.device ?? '',
      description: ai.description ?? '',
    },
    features: {
      shaderF16: device.features.has('shader-f16'),
      subgroups: device.features.has('subgroups'),
      timestampQuery: device.features.has('timestamp-query'),
      dot4: wgsl?.has('packed_4x8_integer_dot_product') ?? false,
    },
    limits: device.limits,
    lostReason: null,
    destroy: () => device.destroy(),
  };
  device.lost.then((info) => {
    ctx.lostReason = `${info.reason}: ${info.message}`;
  });
  return ctx;
}

export function assertAlive(ctx: GpuContext): void {
  if (ctx.lostReason !== null)
    throw new DeviceLostError(
      `GPU device was lost (${ctx.lostReason}); call session.recover() or create a new session`,
    );
}

/** Runs `work` inside validation and out-of-memory error scopes and throws the first error as a typed error. */
export async function withErrorScopes<T>(ctx: GpuContext, what: string, work: () => T | Promise<T>): Promise<T> {
  const { device } = ctx;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await work();
  } finally {
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    assertAlive(ctx);
    if (validation) throw new GpuValidationError(`${what}: ${validation.message}`);
    if (oom) throw new GpuValidationError(`${what}: out of GPU memory: ${oom.message}`);
  }
  return result;
}

export function adapterName(ctx: GpuContext): string {
  const i = ctx.info;
  return [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unknown adapter';
}
