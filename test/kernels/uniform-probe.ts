// Checks a uniform schema's packing against the struct a shader is compiled with, on the device: the WGSL
// struct text is parsed (not taken from the schema), a probe kernel copies every scalar lane of every field
// out by name, and each lane must hold the tag pack() wrote for that field. A field on one side only, or at
// another offset, is reported by name.
import { KestrelError } from '../../src/core/errors.js';
import type { FieldType, UniformStruct } from '../../src/core/uniform-struct.js';
import type { GpuContext } from '../../src/runtime/device.js';

interface Leaf {
  /** WGSL access path under the struct, e.g. `axes[1].half` or `batch_shape.y`. */
  path: string;
  scalar: 'u32' | 'i32' | 'f32';
}

/** Every `struct Name { member: type, ... }` in WGSL text (comments stripped). */
export function parseStructs(wgsl: string): Map<string, { name: string; type: string }[]> {
  const code = wgsl.replace(/\/\/.*$/gm, '');
  const out = new Map<string, { name: string; type: string }[]>();
  for (const m of code.matchAll(/struct\s+(\w+)\s*\{([^}]*)\}/g)) {
    // split members on commas outside <...>
    const members: string[] = [];
    let depth = 0;
    let cur = '';
    for (const ch of m[2]) {
      depth += ch === '<' ? 1 : ch === '>' ? -1 : 0;
      if (ch === ',' && depth === 0) {
        members.push(cur);
        cur = '';
      } else cur += ch;
    }
    members.push(cur);
    out.set(
      m[1],
      members
        .map((t) => t.trim())
        .filter(Boolean)
        .map((t) => {
          const [name, type] = t.split(/:(.*)/s);
          return { name: name.trim(), type: type.replace(/\s+/g, ' ').trim() };
        }),
    );
  }
  return out;
}

function wgslLeaves(type: string, path: string, structs: Map<string, { name: string; type: string }[]>): Leaf[] {
  if (type === 'u32' || type === 'i32' || type === 'f32') return [{ path, scalar: type }];
  const vec = /^vec(\d)<(\w+)>$/.exec(type);
  if (vec)
    return ['x', 'y', 'z', 'w']
      .slice(0, Number(vec[1]))
      .map((c) => ({ path: `${path}.${c}`, scalar: vec[2] as Leaf['scalar'] }));
  const arr = /^array<(.+),\s*(\d+)>$/.exec(type);
  if (arr)
    return Array.from({ length: Number(arr[2]) }, (_, i) => wgslLeaves(arr[1].trim(), `${path}[${i}]`, structs)).flat();
  const members = structs.get(type);
  if (!members) throw new KestrelError('USAGE', `probe: no struct ${type} in the shader text`);
  return members.flatMap((m) => wgslLeaves(m.type, path ? `${path}.${m.name}` : m.name, structs));
}

/** Values for pack() with a distinct tag in every scalar lane, and the tag expected at each WGSL path. */
function taggedValues(schema: UniformStruct<never>): { values: unknown; tags: Map<string, number> } {
  const tags = new Map<string, number>();
  let next = 1;
  const tag = (path: string, scalar: string): number => {
    const t = next++;
    const bits = scalar === 'f32' ? new Uint32Array(new Float32Array([t]).buffer)[0] : t;
    tags.set(path, bits);
    return t;
  };
  const lanes = (path: string, scalar: string, n: number) =>
    Array.from({ length: n }, (_, i) => tag(`${path}.${'xyzw'[i]}`, scalar));
  const value = (type: FieldType, path: string): unknown => {
    if (type === 'u32' || type === 'i32' || type === 'f32') return tag(path, type);
    if (typeof type === 'string') {
      const [, n, scalar] = /^vec(\d)<(\w+)>$/.exec(type)!;
      return lanes(path, scalar, Number(n));
    }
    if ('layout' in type) return structValue(type as UniformStruct<never>, path);
    const { element, length } = type;
    if (typeof element === 'string') {
      const [, n, scalar] = /^vec(\d)<(\w+)>$/.exec(element)!;
      return Array.from({ length }, (_, i) => lanes(`${path}[${i}]`, scalar, Number(n))).flat();
    }
    return Array.from({ length }, (_, i) => structValue(element as UniformStruct<never>, `${path}[${i}]`));
  };
  const structValue = (s: UniformStruct<never>, path: string) =>
    Object.fromEntries(
      s.layout
        .filter((f) => !f.key.startsWith('_'))
        .map((f) => [f.key, value(f.type, path ? `${path}.${f.wgslName}` : f.wgslName)]),
    );
  return { values: structValue(schema, ''), tags };
}

/**
 * Compiles a probe with the struct declarations found in `wgsl` and the schema's packed bytes bound as its
 * uniform; returns one line per mismatched field (empty when the layouts agree).
 */
export async function probeUniformLayout(
  ctx: GpuContext,
  wgsl: string,
  schema: UniformStruct<never>,
): Promise<string[]> {
  const structs = parseStructs(wgsl);
  if (!structs.has(schema.name)) return [`the shader text declares no struct ${schema.name}`];
  const leaves = wgslLeaves(schema.name, '', structs).filter((l) => !/(^|\.)_/.test(l.path));
  const { values, tags } = taggedValues(schema);
  const bytes = schema.pack(values as never).bytes;

  const declarations = [...wgsl.replace(/\/\/.*$/gm, '').matchAll(/struct\s+\w+\s*\{[^}]*\}/g)].map((m) => m[0]);
  const body = leaves.map(
    (l, i) => `  out[${i}] = ${l.scalar === 'u32' ? `p.${l.path}` : `bitcast<u32>(p.${l.path})`};`,
  );
  const code = [
    ...declarations,
    `@group(0) @binding(0) var<uniform> p: ${schema.name};`,
    '@group(0) @binding(1) var<storage, read_write> out: array<u32>;',
    '@compute @workgroup_size(1)',
    'fn main() {',
    ...body,
    '}',
  ].join('\n');
  const { device } = ctx;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label: `probe ${schema.name}` });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) {
    await device.popErrorScope();
    return errors.map((e) => `probe does not compile: ${e.message}`);
  }
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const uniform = device.createBuffer({
    size: bytes.byteLength,
    usage: GPUBufferUsage.UNIFORM,
    mappedAtCreation: true,
  });
  new Uint8Array(uniform.getMappedRange()).set(new Uint8Array(bytes));
  uniform.unmap();
  const size = Math.max(16, leaves.length * 4);
  const out = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: uniform } },
      { binding: 1, resource: { buffer: out } },
    ],
  });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(1);
  pass.end();
  enc.copyBufferToBuffer(out, 0, read, 0, size);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const got = new Uint32Array(read.getMappedRange().slice(0));
  read.unmap();
  const scopeError = await device.popErrorScope();
  [uniform, out, read].forEach((b) => b.destroy());
  if (scopeError) return [`probe failed validation: ${scopeError.message}`];

  const problems: string[] = [];
  const seen = new Set<string>();
  leaves.forEach((l, i) => {
    seen.add(l.path);
    const want = tags.get(l.path);
    if (want === undefined) problems.push(`${schema.name}.${l.path}: in the WGSL struct, not in the schema`);
    else if (got[i] !== want)
      problems.push(`${schema.name}.${l.path}: the shader reads ${got[i]}, pack() wrote ${want} for it`);
  });
  for (const path of tags.keys())
    if (!seen.has(path)) problems.push(`${schema.name}.${path}: in the schema, not in the WGSL struct`);
  return problems;
}
