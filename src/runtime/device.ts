// One way to get a GPUDevice in Node (Dawn via the `webgpu` package) and in a browser (navigator.gpu).
import {
  DeviceLostError,
  GpuValidationError,
  KestrelError,
  MissingDependencyError,
  NoAdapterError,
} from '../core/errors.js';
import { isModuleNotFound } from '../core/missing-module.js';
import { type AdapterKind, adapterMatches, resolveAdapterKind, selectVulkanDriver } from './adapter-choice.js';

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
  /** Null for an adopted device whose adapter the app did not pass. */
  readonly adapter: GPUAdapter | null;
  /** False for a device the app passed in: Kestrel never destroys it. */
  readonly owned: boolean;
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
  /** Adopt the app's device instead of creating one; Kestrel never destroys it. */
  device?: GPUDevice;
  /** The adopted device's adapter, when the app has it (for its info and limits). */
  adapter?: GPUAdapter;
  /**
   * Node only: the Vulkan driver Dawn uses (default: KESTREL_ADAPTER, else whatever Dawn finds). Browsers ignore it.
   */
  driver?: AdapterKind;
}

// dawn.node segfaults if the object from create() is collected with work pending: keep every one alive.
const keepAlive: unknown[] = [];

async function getGpu(kind: AdapterKind | null): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (kind) selectVulkanDriver(kind);
  const modName = 'webgpu';
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    mod = (await import(/* @vite-ignore */ modName)) as typeof mod;
  } catch (e) {
    // `webgpu` is an optional peer dependency: only Node without navigator.gpu needs it
    if (isModuleNotFound(e, modName)) throw new MissingDependencyError(modName, 'WebGPU in Node (no navigator.gpu)');
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
  if (opts.device) return adoptDevice(opts.device, opts.adapter ?? null);
  const kind = resolveAdapterKind(opts.driver);
  const gpu = await getGpu(kind);
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) {
    const which = kind ? `the ${kind} adapter` : 'no WebGPU adapter';
    throw new NoAdapterError(`${which} found; run scripts/setup-webgpu.sh (installs Mesa lavapipe on Debian)`);
  }
  keepAlive.push(adapter);
  // An explicit choice that Dawn did not honour (navigator.gpu set up elsewhere, a stray VK_DRIVER_FILES) is an error.
  if (kind && !adapterMatches(kind, adapter.info ?? {})) {
    const got = `${adapter.info?.vendor ?? ''} ${adapter.info?.description ?? ''}`.trim();
    throw new NoAdapterError(`asked for the ${kind} adapter but Dawn returned '${got}'`);
  }
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
  const wgsl = (gpu as GPU & { wgslLanguageFeatures?: ReadonlySet<string> }).wgslLanguageFeatures;
  return contextFor(device, adapter, adapter.info, wgsl?.has('packed_4x8_integer_dot_product') ?? false, true);
}

async function adoptDevice(device: GPUDevice, adapter: GPUAdapter | null): Promise<GpuContext> {
  if (typeof device !== 'object' || typeof device.createBuffer !== 'function')
    throw new KestrelError('USAGE', 'createGpuContext({ device }): device must be a GPUDevice');
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo ?? adapter?.info;
  const ctx = contextFor(device, adapter, info, await hasDot4(device), false);
  return ctx;
}

/** Whether WGSL's packed dot products compile here: asked of the device, which works for adopted ones too. */
async function hasDot4(device: GPUDevice): Promise<boolean> {
  const nav = (globalThis as { navigator?: { gpu?: { wgslLanguageFeatures?: ReadonlySet<string> } } }).navigator;
  const known = nav?.gpu?.wgslLanguageFeatures;
  if (known) return known.has('packed_4x8_integer_dot_product');
  device.pushErrorScope('validation');
  const module = device.createShaderModule({
    code: '@compute @workgroup_size(1) fn main() { _ = dot4I8Packed(1u, 2u); }',
  });
  const info = await module.getCompilationInfo();
  const err = await device.popErrorScope();
  return !err && !info.messages.some((m) => m.type === 'error');
}

function contextFor(
  device: GPUDevice,
  adapter: GPUAdapter | null,
  ai: GPUAdapterInfo | undefined,
  dot4: boolean,
  owned: boolean,
): GpuContext {
  const ctx: GpuContext = {
    device,
    adapter,
    owned,
    info: {
      vendor: ai?.vendor ?? '',
      architecture: ai?.architecture ?? '',
      device: ai?.device ?? '',
      description: ai?.description ?? '',
    },
    features: {
      shaderF16: device.features.has('shader-f16'),
      subgroups: device.features.has('subgroups'),
      timestampQuery: device.features.has('timestamp-query'),
      dot4,
    },
    limits: device.limits,
    lostReason: null,
    // an adopted device belongs to the app
    destroy: () => {
      if (owned) device.destroy();
    },
  };
  void device.lost.then((info) => {
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
  let result: T | undefined;
  let failed: { error: unknown } | null = null;
  try {
    result = await work();
  } catch (error) {
    failed = { error };
  }
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  // a GPU error explains a failure of `work` better than the failure itself, as when it threw from inside a finally
  assertAlive(ctx);
  if (validation) throw new GpuValidationError(`${what}: ${validation.message}`);
  if (oom) throw new GpuValidationError(`${what}: out of GPU memory: ${oom.message}`);
  if (failed) throw failed.error;
  return result as T;
}

export function adapterName(ctx: GpuContext): string {
  const i = ctx.info;
  return [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unknown adapter';
}
