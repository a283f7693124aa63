// Assembles a kernel's WGSL: enables, the typed prelude, the libraries it requires, then its body.
// Each kernel file declares what it needs in header comments:
//   // kestrel:requires lib/indexing.wgsl lib/epilogue.wgsl
//   // kestrel:prelude elem_t TM          (names the loader must define before the body)
//   // kestrel:enable f16 subgroups       (WGSL extensions)
import { KestrelError } from '../core/errors.js';
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
  requires: string[];
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

const headerCache = new Map<string, ShaderHeader>();
export function shaderHeader(file: string): ShaderHeader {
  let h = headerCache.get(file);
  if (h) return h;
  const src = source(file);
  const requires = headerList(src, 'requires');
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
  for (const lib of h.requires) parts.push(`// ---- ${lib}\n${source(lib)}`);
  parts.push(`// ---- ${spec.file}\n${source(spec.file)}`);
  return parts.join('\n');
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
