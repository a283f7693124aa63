// Builds a uniform buffer's bytes following WGSL layout rules: 4-byte scalars packed, vec4 and arrays of
// vec4 aligned to 16, total rounded up to 16. Fields must be appended in the WGSL struct's order.
export const MAX_RANK = 8;

export class ParamsBuilder {
  private words: number[] = [];
  private kinds: ('u' | 'i' | 'f')[] = [];

  private push(v: number, k: 'u' | 'i' | 'f'): this {
    this.words.push(v);
    this.kinds.push(k);
    return this;
  }
  private align(n: number): void {
    while (this.words.length % n) this.push(0, 'u');
  }
  u32(v: number): this {
    return this.push(v >>> 0, 'u');
  }
  i32(v: number): this {
    return this.push(v | 0, 'i');
  }
  f32(v: number): this {
    return this.push(v, 'f');
  }
  /** A vec4<u32> (missing lanes are 0). */
  vec4u(v: number[]): this {
    this.align(4);
    for (let i = 0; i < 4; i++) this.u32(v[i] ?? 0);
    return this;
  }
  vec4i(v: number[]): this {
    this.align(4);
    for (let i = 0; i < 4; i++) this.i32(v[i] ?? 0);
    return this;
  }
  vec4f(v: number[]): this {
    this.align(4);
    for (let i = 0; i < 4; i++) this.f32(v[i] ?? 0);
    return this;
  }
  /** An array<vec4<u32>, 2>: up to MAX_RANK dims or strides, padded with `fill`. */
  dims(v: number[], fill = 0): this {
    if (v.length > MAX_RANK) throw new Error(`rank ${v.length} exceeds ${MAX_RANK}`);
    this.align(4);
    for (let i = 0; i < MAX_RANK; i++) this.u32(i < v.length ? v[i] : fill);
    return this;
  }
  /** The same as dims() but signed (for negative strides). */
  idims(v: number[], fill = 0): this {
    if (v.length > MAX_RANK) throw new Error(`rank ${v.length} exceeds ${MAX_RANK}`);
    this.align(4);
    for (let i = 0; i < MAX_RANK; i++) this.i32(i < v.length ? v[i] : fill);
    return this;
  }
  build(): ArrayBuffer {
    this.align(4);
    const buf = new ArrayBuffer(Math.max(16, this.words.length * 4));
    const dv = new DataView(buf);
    this.words.forEach((w, i) => {
      const k = this.kinds[i];
      if (k === 'f') dv.setFloat32(i * 4, w, true);
      else if (k === 'i') dv.setInt32(i * 4, w, true);
      else dv.setUint32(i * 4, w, true);
    });
    return buf;
  }
}

/** Splits a 1-D workgroup count over x and y so neither exceeds the per-dimension limit. */
export function grid1d(workgroups: number, maxPerDim = 65535): [number, number, number] {
  if (workgroups <= maxPerDim) return [Math.max(1, workgroups), 1, 1];
  const y = Math.ceil(workgroups / maxPerDim);
  return [Math.ceil(workgroups / y), y, 1];
}
