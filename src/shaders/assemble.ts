// Assembles a kernel's WGSL: enables, the typed prelude (with the uniform structs and shared constants from
// src/kernels/uniforms.ts), the libraries it requires, then its body. Each file declares what it needs in header
// comments:
//   // kestrel:requires lib/indexing.wgsl lib/epilogue.wgsl   (what it uses directly; the loader adds theirs)
//   // kestrel:prelude elem_t TM          (names the loader must define before the body)
//   // kestrel:enable f16 subgroups       (WGSL extensions)
import { KestrelError } from '../core/errors.js';
import { UNIFORM_STRUCTS, WGSL_CONSTS } from '../kernels/uniforms.js';
import { shaderTable } from './table.js';

export type PreludeValue = string | number;

export interface ShaderSpec {
  /** Path under shaders/, e.g. 'binary.wgsl'. */
  file: string;
  /** Values for the names in the kernel's `kestrel:prelude` header: type aliases or u32 consts. */
  prelude?: Record<string, PreludeValue>;
  /** WGSL `override` constants, set at pipeline creation. */
  overrides?: Record<string, number | boolean>;
}

export interface ShaderHeader {
  /** Every library the kernel needs, dependencies of dependencies included, each before its users, once. */
  requires: string[];
  /** The uniform structs its `var<uniform>`s name, nested structs first (src/kernels/uniforms.ts). */
  uniforms: string[];
  /** The struct of the params uniform (group 0, binding 0), which the kernel's call must be packed as. */
  params: string | null;
  prelude: string[];
  enables: string[];
  /** Number of storage buffers the kernel declares in @group(0) (params uniform is binding 0). */
  storageBindings: number;
  usesEpilogue: boolean;
  /** The kernel's own text (not only a library it requires) names elem_t: its storage follows the prelude. */
  ownElemT: boolean;
}

const TYPE_NAMES = new Set(['f32', 'f16', 'i32', 'u32', 'vec4<f32>', 'vec4<f16>', 'vec4<i32>', 'vec4<u32>']);

function source(file: string): string {
  const src = shaderTable()[file];
  if (src === undefined) throw new KestrelError('USAGE', `no shader file shaders/${file}`);
  return src;
}

function headerList(src: string, tag: string): string[] {
  const m = src.match(new RegExp(`^//\\s*kestrel:${tag}\\s+(.*)$`, 'm'));
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

/** `file`'s requires, transitively: depth first, each library after the ones it requires, without repeats. */
export function requiresOf(file: string, read: (file: string) => string = source): string[] {
  const out: string[] = [];
  const visiting: string[] = [];
  const visit = (f: string) => {
    if (visiting.includes(f))
      throw new KestrelError('USAGE', `shaders: kestrel:requires cycle ${[...visiting, f].join(' -> ')}`);
    visiting.push(f);
    for (const lib of headerList(read(f), 'requires')) {
      if (out.includes(lib)) continue;
      visit(lib);
      out.push(lib);
    }
    visiting.pop();
  };
  visit(file);
  return out;
}

function withoutComments(src: string): string {
  return src.replace(/\/\/.*$/gm, '');
}

/** The uniform structs (nested first) that `texts` name, and the params uniform's; each must have a schema. */
export function uniformStructsOf(file: string, texts: string[]): { uniforms: string[]; params: string | null } {
  const code = texts.map(withoutComments).join('\n');
  for (const m of code.matchAll(/struct\s+(\w+)/g))
    if (UNIFORM_STRUCTS.has(m[1]))
      throw new KestrelError(
        'USAGE',
        `shaders/${file}: struct ${m[1]} is generated from src/kernels/uniforms.ts; do not declare it in WGSL`,
      );
  const named = new Set<string>();
  for (const m of code.matchAll(/var<uniform>\s*\w+\s*:\s*(\w+)/g)) {
    if (!UNIFORM_STRUCTS.has(m[1]))
      throw new KestrelError('USAGE', `shaders/${file}: uniform type ${m[1]} has no schema in src/kernels/uniforms.ts`);
    named.add(m[1]);
  }
  for (const name of UNIFORM_STRUCTS.keys()) if (new RegExp(`\\b${name}\\b`).test(code)) named.add(name);
  const out: string[] = [];
  for (const name of named) {
    const schema = UNIFORM_STRUCTS.get(name)!;
    for (const s of [...schema.dependencies(), schema]) if (!out.includes(s.name)) out.push(s.name);
  }
  const params = /@group\(0\)\s*@binding\(0\)\s*var<uniform>\s*\w+\s*:\s*(\w+)/.exec(code)?.[1] ?? null;
  return { uniforms: out, params };
}

const headerCache = new Map<string, ShaderHeader>();
export function shaderHeader(file: string): ShaderHeader {
  let h = headerCache.get(file);
  if (h) return h;
  const src = source(file);
  const requires = requiresOf(file);
  // a library may declare the kernel's bindings (lib/qconv.wgsl); lib/epilogue.wgsl's live in group 1
  const bindings = [src, ...requires.map(source)].flatMap((text) =>
    [...text.matchAll(/@group\(0\)\s*@binding\((\d+)\)\s*var<storage/g)].map((m) => Number(m[1])),
  );
  bindings.sort((a, b) => a - b);
  bindings.forEach((b, i) => {
    if (b !== i + 1)
      throw new KestrelError(
        'USAGE',
        `shaders/${file}: storage bindings must be numbered 1..n (found ${bindings.join(',')})`,
      );
  });
  // a library's prelude names (lib/epilogue.wgsl needs elem_t) are the including kernel's too
  const prelude = new Set(headerList(src, 'prelude'));
  for (const lib of requires) for (const name of headerList(source(lib), 'prelude')) prelude.add(name);
  h = {
    requires,
    ...uniformStructsOf(file, [...requires.map(source), src]),
    prelude: [...prelude],
    enables: headerList(src, 'enable'),
    storageBindings: bindings.length,
    usesEpilogue: requires.includes('lib/epilogue.wgsl'),
    ownElemT: /\belem_t\b/.test(src.replace(/^\s*\/\/.*$/gm, '')),
  };
  headerCache.set(file, h);
  return h;
}

function preludeLine(name: string, value: PreludeValue): string {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff)
      throw new KestrelError('USAGE', `prelude ${name}=${value} is not a small u32`);
    return `const ${name} = ${value}u;`;
  }
  if (!TYPE_NAMES.has(value)) throw new KestrelError('USAGE', `prelude ${name}=${value} is not an allowed type`);
  return `alias ${name} = ${value};`;
}

/** The full WGSL text for a spec (overrides are not part of the text). */
export function assembleShader(spec: ShaderSpec): string {
  const h = shaderHeader(spec.file);
  const given = Object.keys(spec.prelude ?? {}).sort();
  const declared = [...h.prelude].sort();
  if (given.join(',') !== declared.join(',')) {
    throw new KestrelError(
      'USAGE',
      `shaders/${spec.file} needs prelude {${declared.join(', ')}} but got {${given.join(', ')}}`,
    );
  }
  const enables = new Set(h.enables);
  if (Object.values(spec.prelude ?? {}).some((v) => typeof v === 'string' && v.includes('f16'))) enables.add('f16');
  const parts: string[] = [];
  for (const e of enables) parts.push(`enable ${e};`);
  for (const name of declared) parts.push(preludeLine(name, spec.prelude![name]));
  const body = [
    ...h.requires.map((lib) => `// ---- ${lib}\n${source(lib)}`),
    `// ---- ${spec.file}\n${source(spec.file)}`,
  ];
  const used = withoutComments(body.join('\n'));
  for (const [name, value] of WGSL_CONSTS)
    if (new RegExp(`\\b${name}\\b`).test(used)) parts.push(`const ${name}: u32 = ${value}u;`);
  for (const name of h.uniforms) parts.push(UNIFORM_STRUCTS.get(name)!.wgsl());
  return [...parts, ...body].join('\n');
}

/** The pipeline cache key: computed from (file, prelude, overrides), never typed by hand. */
export function pipelineKey(spec: ShaderSpec): string {
  return `${spec.file}|${canonical(spec.prelude)}|${canonical(spec.overrides)}`;
}
export function moduleKey(spec: ShaderSpec): string {
  return `${spec.file}|${canonical(spec.prelude)}`;
}
function canonical(o: Record<string, unknown> | undefined): string {
  if (!o) return '';
  return Object.keys(o)
    .sort()
    .map((k) => `${k}=${String(o[k])}`)
    .join(';');
}
