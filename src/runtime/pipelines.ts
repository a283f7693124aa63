// Pipeline cache: one compiled pipeline per computed key, created asynchronously and deduplicated.
import { ShaderCompileError } from '../core/errors.js';
import type { GpuContext } from './device.js';
import { type ShaderSpec, assembleShader, moduleKey, pipelineKey, shaderHeader } from '../shaders/assemble.js';
import { debugEnabled } from './debug.js';

export interface CompiledPipeline {
  key: string;
  pipeline: GPUComputePipeline;
  layouts: GPUBindGroupLayout[];
  storageBindings: number;
  usesEpilogue: boolean;
}

export class PipelineCache {
  private pipelines = new Map<string, Promise<CompiledPipeline>>();
  private modules = new Map<string, Promise<GPUShaderModule>>();
  private layouts = new Map<string, GPUBindGroupLayout>();
  private moduleOf = new Map<string, string>();
  /** How many distinct pipelines were compiled (not counting cache hits). */
  compiled = 0;

  constructor(private readonly ctx: GpuContext) {}

  /** @internal */
  get(spec: ShaderSpec): Promise<CompiledPipeline> {
    const key = pipelineKey(spec);
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.create(spec, key);
      this.pipelines.set(key, p);
      this.moduleOf.set(key, moduleKey(spec));
    }
    return p;
  }

  get size(): number {
    return this.pipelines.size;
  }

  /** @internal The keys of the pipelines compiled or being compiled. */
  keys(): string[] {
    return [...this.pipelines.keys()];
  }

  /** Forgets these pipelines (and modules no kept pipeline uses), so the driver can free them once unreferenced. */
  evict(keys: readonly string[]): void {
    for (const k of keys) {
      this.pipelines.delete(k);
      this.moduleOf.delete(k);
    }
    const kept = new Set(this.moduleOf.values());
    for (const m of [...this.modules.keys()]) if (!kept.has(m)) this.modules.delete(m);
  }

  private module(spec: ShaderSpec): Promise<GPUShaderModule> {
    const key = moduleKey(spec);
    let m = this.modules.get(key);
    if (!m) {
      m = (async () => {
        const code = assembleShader(spec);
        if (debugEnabled('shaders')) console.error(`// ===== ${key}\n${code}`);
        const mod = this.ctx.device.createShaderModule({ code, label: spec.file });
        const info = await mod.getCompilationInfo();
        const errors = info.messages.filter((m) => m.type === 'error');
        if (errors.length) {
          const lines = code.split('\n');
          throw new ShaderCompileError(
            spec.file,
            errors.map((e) => `${e.lineNum}:${e.linePos} ${e.message}  | ${lines[e.lineNum - 1]?.trim() ?? ''}`),
          );
        }
        return mod;
      })();
      this.modules.set(key, m);
    }
    return m;
  }

  /** @internal */
  layout(kind: 'main' | 'epilogue', storage: number): GPUBindGroupLayout {
    const key = `${kind}:${storage}`;
    let l = this.layouts.get(key);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      const vis = GPUShaderStage.COMPUTE;
      if (kind === 'main') {
        entries.push({ binding: 0, visibility: vis, buffer: { type: 'uniform' } });
        // Every activation binding is read_write storage: a read-only binding of the shared arena
        // beside a writable one would be an incompatible usage of the same buffer in one dispatch.
        for (let i = 1; i <= storage; i++) entries.push({ binding: i, visibility: vis, buffer: { type: 'storage' } });
      } else {
        entries.push({ binding: 0, visibility: vis, buffer: { type: 'storage' } });
        entries.push({ binding: 1, visibility: vis, buffer: { type: 'storage' } });
        entries.push({ binding: 2, visibility: vis, buffer: { type: 'uniform' } });
        entries.push({ binding: 3, visibility: vis, buffer: { type: 'storage' } });
      }
      l = this.ctx.device.createBindGroupLayout({ entries, label: key });
      this.layouts.set(key, l);
    }
    return l;
  }

  private async create(spec: ShaderSpec, key: string): Promise<CompiledPipeline> {
    const h = shaderHeader(spec.file);
    const module = await this.module(spec);
    const layouts = [this.layout('main', h.storageBindings)];
    if (h.usesEpilogue) layouts.push(this.layout('epilogue', 0));
    const constants: Record<string, number> = {};
    for (const [k, v] of Object.entries(spec.overrides ?? {})) constants[k] = typeof v === 'boolean' ? Number(v) : v;
    this.compiled++;
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.ctx.device.createComputePipelineAsync({
        label: key,
        layout: this.ctx.device.createPipelineLayout({ bindGroupLayouts: layouts }),
        compute: { module, entryPoint: 'main', constants },
      });
    } catch (e) {
      throw new ShaderCompileError(spec.file, [`pipeline creation failed for ${key}: ${(e as Error).message}`]);
    }
    return { key, pipeline, layouts, storageBindings: h.storageBindings, usesEpilogue: h.usesEpilogue };
  }
}
