// Every kernel file under shaders/ (not lib/): a valid header, bindings the loader accepts, and WGSL that the
// device compiles once assembled with a representative prelude (type aliases 'f32', u32 consts 4).
import { describe, expect, it } from 'vitest';
import { createGpuContext } from '../../src/runtime/device.js';
import { shaderTable } from '../../src/shaders/table.js';
import {
  type PreludeValue,
  assembleShader,
  moduleKey,
  pipelineKey,
  requiresOf,
  shaderHeader,
  uniformStructsOf,
} from '../../src/shaders/assemble.js';
import { ACT_CODES } from '../../src/ir/graph.js';
import { COUNT_PARAMS, actConstName } from '../../src/kernels/uniforms.js';
import { checkParams } from '../../src/plan/schedule.js';

const table = shaderTable();
const kernels = Object.keys(table)
  .filter((f) => !f.startsWith('lib/'))
  .sort();
const KNOWN_TAGS = new Set(['requires', 'prelude', 'enable', 'example']);

/**
 * A kernel may name a valid example prelude in its header (`// kestrel:example TM=8 TN=8`): register tiles
 * written out for one block size compile only with it. Otherwise: _t names are f32, the rest u32 4.
 */
function representativePrelude(file: string): Record<string, PreludeValue> {
  const out: Record<string, PreludeValue> = {};
  for (const name of shaderHeader(file).prelude) out[name] = /_t$/.test(name) ? 'f32' : 4;
  const example = shaderTable()[file].match(/^\/\/\s*kestrel:example\s+(.*)$/m);
  for (const kv of example ? example[1].trim().split(/\s+/) : []) {
    const [k, v] = kv.split('=');
    out[k] = /^\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}

/** Every resource binding as {group, binding, kind}, whichever order the attributes come in. */
function bindings(src: string): { group: number; binding: number; kind: string }[] {
  const re = /@(group|binding)\((\d+)\)\s*@(group|binding)\((\d+)\)\s*var(?:<(\w+)[^>]*>)?/g;
  return [...src.matchAll(re)].map((m) => {
    const first = Number(m[2]);
    const second = Number(m[4]);
    return m[1] === 'group'
      ? { group: first, binding: second, kind: m[5] ?? 'handle' }
      : { group: second, binding: first, kind: m[5] ?? 'handle' };
  });
}

describe('shader files', () => {
  it('finds kernel files', () => {
    expect(kernels.length).toBeGreaterThan(0);
    expect(kernels).toContain('binary.wgsl');
  });

  it.each(kernels)('%s has a header whose requires exist and whose tags are known', (file) => {
    const src = table[file];
    expect(src.startsWith('//'), 'the file opens with a comment saying what it computes').toBe(true);
    for (const m of src.matchAll(/^\/\/\s*kestrel:(\S+)/gm)) {
      expect(KNOWN_TAGS.has(m[1]), `unknown header tag kestrel:${m[1]}`).toBe(true);
    }
    const h = shaderHeader(file);
    for (const lib of h.requires) {
      expect(table[lib], `${file} requires ${lib}, which does not exist under shaders/`).toBeTypeOf('string');
    }
  });

  it.each(kernels)('%s numbers its group 0 storage bindings 1..n', (file) => {
    // a kernel's bindings may live in a library it requires (lib/qconv.wgsl)
    const all = [table[file], ...shaderHeader(file).requires.map((lib) => table[lib])].flatMap((src) => bindings(src));
    const storage = all
      .filter((b) => b.group === 0 && b.kind === 'storage')
      .map((b) => b.binding)
      .sort((a, b) => a - b);
    expect(storage).toEqual(storage.map((_, i) => i + 1));
    // The loader counts only `@group(0) @binding(n) var<storage`: another attribute order would go unseen.
    expect(shaderHeader(file).storageBindings).toBe(storage.length);
    const group0 = all.filter((b) => b.group === 0);
    expect(new Set(group0.map((b) => b.binding)).size, 'no binding number used twice in group 0').toBe(group0.length);
  });
});

describe('kestrel:requires is transitive', () => {
  const fake: Record<string, string> = {
    'k.wgsl': '// kestrel:requires lib/b.wgsl lib/c.wgsl',
    'lib/b.wgsl': '// kestrel:requires lib/d.wgsl',
    'lib/c.wgsl': '// kestrel:requires lib/d.wgsl lib/e.wgsl',
    'lib/d.wgsl': '// kestrel:requires lib/e.wgsl',
    'lib/e.wgsl': '// a leaf',
    'loop.wgsl': '// kestrel:requires lib/x.wgsl',
    'lib/x.wgsl': '// kestrel:requires lib/y.wgsl',
    'lib/y.wgsl': '// kestrel:requires lib/x.wgsl',
  };
  const read = (f: string) => fake[f];

  it('pulls dependencies of dependencies, each after what it requires, once', () => {
    expect(requiresOf('k.wgsl', read)).toEqual(['lib/e.wgsl', 'lib/d.wgsl', 'lib/b.wgsl', 'lib/c.wgsl']);
  });

  it('names a cycle', () => {
    expect(() => requiresOf('loop.wgsl', read)).toThrow('loop.wgsl -> lib/x.wgsl -> lib/y.wgsl -> lib/x.wgsl');
  });

  it('gives a kernel that lists one library everything that library needs', () => {
    // matmul.wgsl lists only matmul_tile and matmul_strided; the epilogue brings activations
    const { requires, usesEpilogue } = shaderHeader('matmul.wgsl');
    expect(table['matmul.wgsl']).toMatch(/^\/\/ kestrel:requires lib\/matmul_tile.wgsl lib\/matmul_strided.wgsl$/m);
    expect(requires).toEqual([
      'lib/activations.wgsl',
      'lib/epilogue.wgsl',
      'lib/index4.wgsl',
      'lib/matmul_tile.wgsl',
      'lib/weights.wgsl',
      'lib/matmul_strided.wgsl',
    ]);
    expect(usesEpilogue).toBe(true);
  });
});

describe('uniform structs come from the schemas', () => {
  it('finds the params struct and the nested structs it uses', () => {
    expect(shaderHeader('dequantize.wgsl').params).toBe('DequantizeParams');
    expect(shaderHeader('dequantize.wgsl').uniforms).toEqual(['QuantIndex', 'DequantizeParams']);
    expect(shaderHeader('conv2d_igemm.wgsl').uniforms).toEqual(['EpilogueParams', 'ConvParams']);
  });

  it('rejects a struct written by hand in WGSL, and a uniform with no schema', () => {
    const handWritten = 'struct ConvParams {\n  cin: u32,\n}\n@group(0) @binding(0) var<uniform> params: ConvParams;';
    expect(() => uniformStructsOf('x.wgsl', [handWritten])).toThrow(/struct ConvParams is generated/);
    expect(() => uniformStructsOf('x.wgsl', ['@group(0) @binding(0) var<uniform> params: Params;'])).toThrow(
      'shaders/x.wgsl: uniform type Params has no schema in src/kernels/uniforms.ts',
    );
  });

  it('emits the struct and the shared constants into the prelude, before the libraries', () => {
    const code = assembleShader({ file: 'unary.wgsl', prelude: { elem_t: 'f32' } });
    const lib = code.indexOf('// ---- lib/activations.wgsl');
    expect(code.indexOf('struct UnaryParams {\n  count: u32,\n  alpha: f32,\n  beta: f32,\n}')).toBeLessThan(lib);
    expect(code.indexOf('const ACT_HARD_SWISH: u32 = 5u;')).toBeLessThan(lib);
    expect(code).not.toContain('EP_ACT_PWL'); // only the constants a shader names
  });

  it('lib/activations.wgsl switches on every activation constant, never on a number', () => {
    const src = table['lib/activations.wgsl'];
    for (const act of Object.keys(ACT_CODES))
      expect(src).toContain(`case ${actConstName(act as keyof typeof ACT_CODES)}:`);
    expect(src).not.toMatch(/case \d/);
  });

  it('a kernel call packed as another struct than its shader reads is an error', () => {
    const call = {
      variant: 'binary.test',
      shader: { file: 'binary.wgsl' },
      params: COUNT_PARAMS.pack({ count: 1 }),
      bindings: [],
      workgroups: [1, 1, 1] as [number, number, number],
    };
    expect(() => checkParams(call, shaderHeader('binary.wgsl'))).toThrow(
      'kernel binary.test packs its params as CountParams but shaders/binary.wgsl reads BroadcastParams',
    );
  });
});

describe('pipeline keys', () => {
  const base = { file: 'compare.wgsl', prelude: { in_t: 'f32' }, overrides: { OP: 1, WG: 64 } };

  it('differ when the prelude differs', () => {
    expect(pipelineKey({ ...base, prelude: { in_t: 'i32' } })).not.toBe(pipelineKey(base));
    expect(moduleKey({ ...base, prelude: { in_t: 'i32' } })).not.toBe(moduleKey(base));
  });

  it('differ when an override differs, is added or is missing', () => {
    expect(pipelineKey({ ...base, overrides: { OP: 2, WG: 64 } })).not.toBe(pipelineKey(base));
    expect(pipelineKey({ ...base, overrides: { OP: 1, WG: 64, EP_BIAS: true } })).not.toBe(pipelineKey(base));
    expect(pipelineKey({ ...base, overrides: { OP: 1 } })).not.toBe(pipelineKey(base));
    expect(pipelineKey({ ...base, overrides: undefined })).not.toBe(pipelineKey(base));
  });

  it('differ by file', () => {
    expect(pipelineKey({ ...base, file: 'binary.wgsl' })).not.toBe(pipelineKey(base));
  });

  it('do not depend on the order overrides are written in', () => {
    expect(pipelineKey({ ...base, overrides: { WG: 64, OP: 1 } })).toBe(pipelineKey(base));
  });

  it('share a module key across overrides', () => {
    expect(moduleKey({ ...base, overrides: { OP: 7 } })).toBe(moduleKey(base));
  });
});

describe('shader compilation on the device', () => {
  // No adapter is a hard failure here, never a skip.
  let ctxPromise: ReturnType<typeof createGpuContext> | null = null;

  it.each(kernels)('%s compiles with a representative prelude', async (file) => {
    const ctx = await (ctxPromise ??= createGpuContext());
    const h = shaderHeader(file);
    if (h.enables.includes('f16'))
      expect(ctx.features.shaderF16, `${file} enables f16 but the device lacks shader-f16`).toBe(true);
    if (h.enables.includes('subgroups'))
      expect(ctx.features.subgroups, `${file} enables subgroups but the device lacks them`).toBe(true);
    const code = assembleShader({ file, prelude: representativePrelude(file) });
    ctx.device.pushErrorScope('validation');
    const module = ctx.device.createShaderModule({ label: file, code });
    const info = await module.getCompilationInfo();
    const scopeError = await ctx.device.popErrorScope();
    const errors = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
    expect(errors, `${file}:\n${errors.join('\n')}`).toEqual([]);
    expect(scopeError?.message ?? null).toBeNull();
  });
});
