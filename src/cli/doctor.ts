// `kestrel doctor`: what WebGPU adapter Kestrel gets here, which optional features it has, and the limits that shape plans.
import { type GpuContext, createGpuContext } from '../runtime/device.js';
import type { Command } from './command.js';

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
  const info = (ctx.adapter.info ?? {}) as GPUAdapterInfo & {
    subgroupMinSize?: number;
    subgroupMaxSize?: number;
    isFallbackAdapter?: boolean;
  };
  const limits: Record<string, number> = {};
  const adapterLimits: Record<string, number> = {};
  for (const name of DOCTOR_LIMITS) {
    limits[name] = ctx.limits[name];
    adapterLimits[name] = ctx.adapter.limits[name];
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
    adapterFeatures: [...ctx.adapter.features].map(String).sort(),
    runtime: proc?.versions?.node ? `node ${proc.versions.node} (Dawn, npm webgpu)` : 'browser',
  };
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

export function formatDoctor(r: DoctorReport): string {
  const a = r.adapter;
  const rows: [string, string][] = [
    ['vendor', a.vendor || '(none)'],
    ['architecture', a.architecture || '(none)'],
    ['device', a.device || '(none)'],
    ['description', a.description || '(none)'],
  ];
  if (a.isFallbackAdapter !== null) rows.push(['fallback adapter', yesNo(a.isFallbackAdapter)]);
  const feats = Object.entries(r.features).map(([k, v]) => [k, yesNo(v)] as [string, string]);
  const num = (v: number) => v.toLocaleString('en-US');
  const limits = Object.entries(r.limits).map(([k, v]) => {
    const a = r.adapterLimits[k];
    return [k, a !== undefined && a !== v ? `${num(v)}  (adapter: ${num(a)})` : num(v)] as [string, string];
  });
  if (r.subgroupSize.min !== null || r.subgroupSize.max !== null) {
    limits.push(['subgroup size', `${r.subgroupSize.min ?? '?'}..${r.subgroupSize.max ?? '?'}`]);
  }
  const width = Math.max(...[...rows, ...feats, ...limits].map(([k]) => k.length));
  const block = (title: string, list: [string, string][]) => [
    title,
    ...list.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ];
  return [
    ...block('adapter', rows),
    ...block('features', feats),
    ...block('limits', limits),
    `runtime: ${r.runtime}`,
  ].join('\n');
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'show the WebGPU adapter, its features and the limits Kestrel plans with',
  usage: 'doctor [--json]',
  args: { flags: [{ name: 'json', type: 'boolean', summary: 'print the report as JSON' }] },
  async run(args, io) {
    const ctx = await createGpuContext();
    try {
      const report = doctorReport(ctx);
      io.out(args.flags.json ? JSON.stringify(report, null, 2) : formatDoctor(report));
    } finally {
      ctx.destroy();
    }
    return 0;
  },
};
