// One Dawn instance for the whole process, exposed as navigator.gpu so that Kestrel, TF.js and ORT-web all
// find it (each engine requests its own device on the same adapter).
import { create, globals } from 'webgpu';
import { resolveAdapterKind, selectVulkanDriver } from '../src/runtime/adapter-choice.js';

// dawn.node segfaults if the object from create() is collected with work pending: keep it alive.
const keep: GPU[] = [];

export function installNavigatorGpu(): GPU {
  if (keep.length) return keep[0];
  for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  // KESTREL_ADAPTER picks the Vulkan driver, which must happen before this process's Dawn instance exists.
  const kind = resolveAdapterKind();
  if (kind) selectVulkanDriver(kind);
  // Timestamps are quantized to ~65 µs unless this Dawn feature is off; every engine shares the flag.
  const gpu = create(['disable-dawn-features=timestamp_quantization']);
  keep.push(gpu);
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else g.navigator = { gpu };
  return gpu;
}
