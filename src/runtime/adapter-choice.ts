// KESTREL_ADAPTER=lavapipe|swiftshader (or createGpuContext({ driver })): which Vulkan driver Dawn uses in Node.
// The Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance, so it is set before each create().
import { AdapterNotInstalledError, KestrelError } from '../core/errors.js';

export const ADAPTER_KINDS = ['lavapipe', 'swiftshader'] as const;
export type AdapterKind = (typeof ADAPTER_KINDS)[number];

/** Debian's chromium package ships SwiftShader's Vulkan driver next to the browser. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const LAVAPIPE_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

interface NodeProcess {
  env: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}
type Fs = { existsSync(p: string): boolean; readdirSync(p: string): string[] };

function nodeProcess(): NodeProcess | null {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.env && typeof p.getBuiltinModule === 'function' ? p : null;
}

export function isAdapterKind(v: string): v is AdapterKind {
  return (ADAPTER_KINDS as readonly string[]).includes(v);
}

/**
 * The explicit choice, else KESTREL_ADAPTER, else null (whatever Dawn finds first); always null outside Node,
 * where the browser picks. Unknown names are errors.
 */
export function resolveAdapterKind(explicit?: string): AdapterKind | null {
  const proc = nodeProcess();
  if (!proc) return null;
  const env = proc.env.KESTREL_ADAPTER;
  const v = explicit ?? (env === '' ? undefined : env);
  if (v === undefined) return null;
  if (!isAdapterKind(v)) {
    const from = explicit !== undefined ? 'adapter option' : 'KESTREL_ADAPTER';
    throw new KestrelError('USAGE', `${from}: unknown adapter '${v}' (expected one of: ${ADAPTER_KINDS.join(', ')})`);
  }
  return v;
}

/**
 * Where the chosen driver's ICD file is (overridable as setup-webgpu.sh's: KESTREL_VULKAN_ICD_DIR,
 * KESTREL_SWIFTSHADER_ICD).
 */
export function icdFileFor(
  kind: AdapterKind,
  fs: Fs,
  env: NodeProcess['env'],
): { file: string | null; looked: string } {
  if (kind === 'swiftshader') {
    const icd = env.KESTREL_SWIFTSHADER_ICD || SWIFTSHADER_ICD;
    return { file: fs.existsSync(icd) ? icd : null, looked: icd };
  }
  const dirs = env.KESTREL_VULKAN_ICD_DIR ? [env.KESTREL_VULKAN_ICD_DIR] : LAVAPIPE_ICD_DIRS;
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    const hit = fs.readdirSync(dir).find((f) => /^lvp_icd.*\.json$/.test(f));
    if (hit) return { file: `${dir}/${hit}`, looked: `${dir}/${hit}` };
  }
  return { file: null, looked: dirs.map((d) => `${d}/lvp_icd*.json`).join(', ') };
}

/**
 * Points the Vulkan loader at the chosen driver only (Node; a no-op in browsers). Call it before `webgpu`'s
 * create(). Throws AdapterNotInstalledError naming the ICD file when the driver is not installed.
 */
export function selectVulkanDriver(kind: AdapterKind): string | null {
  const proc = nodeProcess();
  if (!proc) return null;
  const fs = proc.getBuiltinModule!('fs') as Fs;
  const { file, looked } = icdFileFor(kind, fs, proc.env);
  if (!file) throw new AdapterNotInstalledError(kind, looked, SETUP_HINT[kind]);
  // Newer loaders read VK_DRIVER_FILES first; older ones only VK_ICD_FILENAMES.
  proc.env.VK_ICD_FILENAMES = file;
  proc.env.VK_DRIVER_FILES = file;
  return file;
}

const SETUP_HINT: Record<AdapterKind, string> = {
  lavapipe: 'run scripts/setup-webgpu.sh (Mesa lavapipe)',
  swiftshader: 'run scripts/setup-webgpu.sh --with-swiftshader (Debian chromium)',
};

/** True when the adapter Dawn returned is the driver that was asked for. */
export function adapterMatches(kind: AdapterKind, info: { vendor?: string; description?: string }): boolean {
  const text = `${info.vendor ?? ''} ${info.description ?? ''}`.toLowerCase();
  return kind === 'swiftshader' ? text.includes('swiftshader') : text.includes('llvmpipe') || text.includes('lavapipe');
}
