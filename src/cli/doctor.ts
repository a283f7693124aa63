// `kestrel doctor`: every WebGPU adapter Kestrel can reach here, which optional features each has, and the limits
// that shape plans.
import { ADAPTER_KINDS, type AdapterKind, isAdapterKind } from '../runtime/adapter-choice.js';
import { type GpuContext, createGpuContext } from '../runtime/device.js';
import { UsageError } from './args.js';
import { type AdapterProbe, probeAllAdapters } from './doctor-probe.js';
import { type Command, EXIT_ENVIRONMENT, EXIT_OK } from './command.js';

export const DOCTOR_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'minStorageBufferOffsetAlignment',
  'minUniformBufferOffsetAlignment',
] as const;

export interface DoctorReport {
  adapter: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter: boolean | null;
  };
  /** What Kestrel can use on this device; the WGSL one is a language feature, not a device feature. */
  features: {
    'shader-f16': boolean;
    subgroups: boolean;
    'timestamp-query': boolean;
    packed_4x8_integer_dot_product: boolean;
  };
  /** The device's limits, which are what plans see. */
  limits: Record<string, number>;
  /** The adapter's limits for the same names; they differ where Kestrel does not request the adapter's best. */
  adapterLimits: Record<string, number>;
  /** From the adapter info, when the implementation exposes them (null otherwise). */
  subgroupSize: { min: number | null; max: number | null };
  adapterFeatures: string[];
  runtime: string;
}

function optionalNumber(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function doctorReport(ctx: GpuContext): DoctorReport {
  const info = (ctx.adapter?.info ?? {}) as GPUAdapterInfo & {
    subgroupMinSize?: number;
    subgroupMaxSize?: number;
    isFallbackAdapter?: boolean;
  };
  const limits: Record<string, number> = {};
  const adapterLimits: Record<string, number> = {};
  for (const name of DOCTOR_LIMITS) {
    limits[name] = ctx.limits[name];
    adapterLimits[name] = ctx.adapter?.limits[name] ?? ctx.limits[name];
  }
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return {
    adapter: {
      ...ctx.info,
      isFallbackAdapter: typeof info.isFallbackAdapter === 'boolean' ? info.isFallbackAdapter : null,
    },
    features: {
      'shader-f16': ctx.features.shaderF16,
      subgroups: ctx.features.subgroups,
      'timestamp-query': ctx.features.timestampQuery,
      packed_4x8_integer_dot_product: ctx.features.dot4,
    },
    limits,
    adapterLimits,
    subgroupSize: { min: optionalNumber(info.subgroupMinSize), max: optionalNumber(info.subgroupMaxSize) },
    adapterFeatures: [...(ctx.adapter?.features ?? ctx.device.features)].map(String).sort(),
    runtime: proc?.versions?.node ? `node ${proc.versions.node} (Dawn, npm webgpu)` : 'browser',
  };
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const num = (v: number) => v.toLocaleString('en-US');

/** One column per adapter: identity, features, limits; an adapter that could not be reached shows why. */
export function formatDoctor(probes: AdapterProbe[]): string {
  const ok = probes.filter((p): p is Extract<AdapterProbe, { error?: undefined }> => p.error === undefined);
  const rows: [string, ...string[]][] = [];
  const section = (title: string) => rows.push([title, ...ok.map(() => '')]);
  const row = (key: string, cell: (r: DoctorReport) => string) => rows.push([`  ${key}`, ...ok.map(cell)]);
  rows.push(['adapter', ...ok.map((p) => p.kind)]);
  row('vendor', (r) => r.adapter.vendor || '(none)');
  row('architecture', (r) => r.adapter.architecture || '(none)');
  row('description', (r) => r.adapter.description || '(none)');
  if (ok.some((p) => p.adapter.isFallbackAdapter !== null))
    row('fallback adapter', (r) => (r.adapter.isFallbackAdapter === null ? '?' : yesNo(r.adapter.isFallbackAdapter)));
  section('features');
  for (const f of Object.keys(ok[0]?.features ?? {}) as (keyof DoctorReport['features'])[])
    row(f, (r) => yesNo(r.features[f]));
  section('limits');
  for (const l of DOCTOR_LIMITS) {
    row(l, (r) => {
      const v = r.limits[l];
      const a = r.adapterLimits[l];
      return a !== undefined && a !== v ? `${num(v)} (adapter: ${num(a)})` : num(v);
    });
  }
  if (ok.some((p) => p.subgroupSize.min !== null || p.subgroupSize.max !== null))
    row('subgroup size', (r) => `${r.subgroupSize.min ?? '?'}..${r.subgroupSize.max ?? '?'}`);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd(),
  );
  for (const p of probes) if (p.error !== undefined) lines.push(`${p.kind}: not available: ${p.error}`);
  if (ok.length) lines.push(`runtime: ${ok[0].runtime}`);
  return lines.join('\n');
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'list every WebGPU adapter reachable here: features and the limits Kestrel plans with',
  usage: 'doctor [--json] [--adapter lavapipe|swiftshader]',
  args: {
    flags: [
      { name: 'json', type: 'boolean', summary: 'print the reports as a JSON array (one entry per adapter)' },
      {
        name: 'adapter',
        type: 'string',
        valueName: ADAPTER_KINDS.join('|'),
        summary: 'only this adapter, in this process (default: each adapter in its own child process)',
      },
    ],
  },
  async run(args, io) {
    const only = args.flags.adapter as string | undefined;
    if (only !== undefined && !isAdapterKind(only))
      throw new UsageError(`--adapter: unknown adapter '${only}' (expected one of: ${ADAPTER_KINDS.join(', ')})`);
    const probes = only ? [await probeHere(only)] : await probeAllAdapters();
    io.out(args.flags.json ? JSON.stringify(probes, null, 2) : formatDoctor(probes));
    // no adapter at all is an environment failure (exit 3), like a lost device
    return probes.some((p) => p.error === undefined) ? EXIT_OK : EXIT_ENVIRONMENT;
  },
};

async function probeHere(kind: AdapterKind): Promise<AdapterProbe> {
  let ctx: GpuContext;
  try {
    ctx = await createGpuContext({ driver: kind });
  } catch (e) {
    return { kind, error: (e as Error).message };
  }
  try {
    return { kind, ...doctorReport(ctx) };
  } finally {
    ctx.destroy();
  }
}
