// A uniform struct declared once: the WGSL struct text and the byte packing both come from one field list,
// laid out as WGSL lays it out (vec2 align 8, vec4 align 16). WGSL's uniform rules (a struct or array member
// at a multiple of 16, array strides of 16) are checked, not padded for: they are errors where a device enforces
// them, so the schema spells the padding out. Field names are camelCase here and snake_case in WGSL (padT -> pad_t); a
// key starting with
// `_` is explicit padding (a struct used as an array element must fill whole 16-byte rows).
import { KestrelError } from './errors.js';

export type ScalarType = 'u32' | 'i32' | 'f32';
export type VectorType = 'vec2<u32>' | 'vec2<i32>' | 'vec2<f32>' | 'vec4<u32>' | 'vec4<i32>' | 'vec4<f32>';
export interface ArrayType<E extends VectorType | AnyUniformStruct = VectorType | AnyUniformStruct> {
  readonly element: E;
  readonly length: number;
}
export type FieldType = ScalarType | VectorType | ArrayType | AnyUniformStruct;
export type Fields = Record<string, FieldType>;
type AnyUniformStruct = UniformStruct<Fields>;

/**
 * What pack() takes for a field: scalars are numbers, vectors and arrays of vectors flat number lists (zero-padded).
 */
export type FieldValue<T> = T extends ScalarType
  ? number
  : T extends VectorType
    ? readonly number[]
    : T extends ArrayType<infer E>
      ? E extends UniformStruct<infer G>
        ? readonly StructValues<G>[]
        : readonly number[]
      : T extends UniformStruct<infer G>
        ? StructValues<G>
        : never;
/** Every field but padding (keys starting with `_`, always written as zero). */
export type StructValues<F extends Fields> = {
  readonly [K in keyof F as K extends `_${string}` ? never : K]: FieldValue<F[K]>;
};

/** Packed bytes of a kernel's uniform, tagged with the struct they were packed as (checked against the shader). */
export interface UniformBytes {
  readonly struct: string;
  readonly bytes: ArrayBuffer;
}

export interface FieldLayout {
  /** The camelCase key in TypeScript. */
  key: string;
  /** The snake_case member name in WGSL. */
  wgslName: string;
  type: FieldType;
  offset: number;
  size: number;
}

export function array<E extends VectorType | AnyUniformStruct>(element: E, length: number): ArrayType<E> {
  return { element, length };
}

const SCALARS = new Set<string>(['u32', 'i32', 'f32']);
const isStruct = (t: FieldType): t is AnyUniformStruct => t instanceof UniformStruct;
const isArray = (t: FieldType): t is ArrayType => typeof t === 'object' && !isStruct(t);
const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** The WGSL member name of a TypeScript key: padT -> pad_t, aBatchStrides -> a_batch_strides. */
export function wgslName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function vectorLanes(t: VectorType): { lanes: number; scalar: ScalarType } {
  const m = /^vec(\d)<(\w+)>$/.exec(t)!;
  return { lanes: Number(m[1]), scalar: m[2] as ScalarType };
}

/** WGSL's AlignOf and SizeOf (an array's size is its element stride times its length). */
function alignSize(t: FieldType): { align: number; size: number } {
  if (typeof t === 'string') {
    if (SCALARS.has(t)) return { align: 4, size: 4 };
    const { lanes } = vectorLanes(t as VectorType);
    return { align: lanes === 2 ? 8 : 16, size: lanes * 4 };
  }
  if (isStruct(t)) return { align: t.align, size: t.size };
  const e = alignSize(t.element);
  return { align: e.align, size: roundUp(e.size, e.align) * t.length };
}

function wgslType(t: FieldType): string {
  if (typeof t === 'string') return t;
  if (isStruct(t)) return t.name;
  return `array<${wgslType(t.element)}, ${t.length}>`;
}

export class UniformStruct<F extends Fields> {
  readonly layout: FieldLayout[] = [];
  /** Bytes the struct occupies (WGSL's SizeOf), before rounding a buffer binding up to 16. */
  readonly size: number;
  readonly align: number;

  constructor(
    readonly name: string,
    readonly fields: F,
  ) {
    let offset = 0;
    let align = 4;
    for (const [key, type] of Object.entries(fields)) {
      const a = alignSize(type);
      offset = roundUp(offset, a.align);
      if (typeof type !== 'string' && offset % 16)
        throw new KestrelError(
          'USAGE',
          `${name}.${key}: a uniform struct or array member must start at a multiple of 16 (add _pad fields before it)`,
        );
      if (isArray(type) && (a.size / type.length) % 16)
        throw new KestrelError('USAGE', `${name}.${key}: a uniform array's element stride must be a multiple of 16`);
      this.layout.push({ key, wgslName: wgslName(key), type, offset, size: a.size });
      offset += a.size;
      align = Math.max(align, a.align);
    }
    this.align = align;
    this.size = roundUp(offset, align);
  }

  /** The nested structs this one's fields use, innermost first, each once. */
  dependencies(): AnyUniformStruct[] {
    const out: AnyUniformStruct[] = [];
    const visit = (t: FieldType) => {
      const s = isStruct(t) ? t : isArray(t) && isStruct(t.element) ? t.element : null;
      if (!s || out.includes(s)) return;
      s.dependencies().forEach((d) => out.includes(d) || out.push(d));
      out.push(s);
    };
    this.layout.forEach((f) => visit(f.type));
    return out;
  }

  /** The WGSL declaration (without its nested structs). */
  wgsl(): string {
    const members = this.layout.map((f) => `  ${f.wgslName}: ${wgslType(f.type)},`);
    return `struct ${this.name} {\n${members.join('\n')}\n}`;
  }

  /** Bytes pack() returns: the size rounded up to a multiple of 16 (and at least 16) for a uniform binding. */
  get bindingSize(): number {
    return Math.max(16, roundUp(this.size, 16));
  }

  pack(values: StructValues<F>): UniformBytes {
    const bytes = new ArrayBuffer(this.bindingSize);
    this.write(new DataView(bytes), 0, values, this.name);
    return { struct: this.name, bytes };
  }

  private write(dv: DataView, base: number, values: Record<string, unknown>, path: string): void {
    for (const key of Object.keys(values ?? {}))
      if (!(key in this.fields) || key.startsWith('_'))
        throw new KestrelError('USAGE', `${path}: no field '${key}' in ${this.name}`);
    for (const f of this.layout) {
      if (f.key.startsWith('_')) continue; // padding: the buffer starts zeroed
      const v = values?.[f.key];
      if (v === undefined) throw new KestrelError('USAGE', `${path}: missing field '${f.key}' of ${this.name}`);
      writeField(dv, base + f.offset, f.type, v, `${path}.${f.key}`);
    }
  }

  /** Used by write() for nested structs. */
  writeAt(dv: DataView, offset: number, values: unknown, path: string): void {
    this.write(dv, offset, values as Record<string, unknown>, path);
  }
}

function writeScalar(dv: DataView, offset: number, t: ScalarType, v: number, path: string): void {
  if (typeof v !== 'number' || (t !== 'f32' && !Number.isInteger(v)))
    throw new KestrelError('USAGE', `${path}: ${String(v)} is not a ${t}`);
  if (t === 'f32') dv.setFloat32(offset, v, true);
  else if (t === 'i32') dv.setInt32(offset, v | 0, true);
  else dv.setUint32(offset, v >>> 0, true);
}

function writeLanes(dv: DataView, offset: number, scalar: ScalarType, lanes: number, v: unknown, path: string): void {
  if (!Array.isArray(v)) throw new KestrelError('USAGE', `${path}: expected a list of numbers`);
  const list = v as readonly number[];
  if (list.length > lanes) throw new KestrelError('USAGE', `${path}: ${list.length} values exceed its ${lanes} lanes`);
  for (let i = 0; i < lanes; i++) writeScalar(dv, offset + 4 * i, scalar, list[i] ?? 0, `${path}[${i}]`);
}

function writeField(dv: DataView, offset: number, t: FieldType, v: unknown, path: string): void {
  if (typeof t === 'string') {
    if (SCALARS.has(t)) return writeScalar(dv, offset, t as ScalarType, v as number, path);
    const { lanes, scalar } = vectorLanes(t as VectorType);
    return writeLanes(dv, offset, scalar, lanes, v, path);
  }
  if (isStruct(t)) return t.writeAt(dv, offset, v, path);
  const stride = alignSize(t.element).size;
  if (isStruct(t.element)) {
    const list = v as readonly unknown[];
    if (!Array.isArray(list) || list.length > t.length)
      throw new KestrelError('USAGE', `${path}: expected at most ${t.length} ${t.element.name} values`);
    list.forEach((e, i) => (t.element as AnyUniformStruct).writeAt(dv, offset + i * stride, e, `${path}[${i}]`));
    return;
  }
  const { lanes, scalar } = vectorLanes(t.element);
  writeLanes(dv, offset, scalar, lanes * t.length, v, path);
}

export function uniformStruct<F extends Fields>(name: string, fields: F): UniformStruct<F> {
  return new UniformStruct(name, fields);
}
