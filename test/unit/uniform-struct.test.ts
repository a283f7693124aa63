// Uniform schemas: offsets against WGSL's layout rules worked by hand from the spec, the generated struct text,
// the packed bytes, and the errors for bad values. (test/kernels/uniform-layout.test.ts checks on the device.)
import { describe, expect, it } from 'vitest';
import { array, uniformStruct, wgslName } from '../../src/core/uniform-struct.js';
import { ACT_CODES } from '../../src/ir/graph.js';
import {
  MATMUL_PARAMS,
  QUANTIZE_PARAMS,
  REDUCE_PARAMS,
  RESIZE_NEAREST_PARAMS,
  WGSL_CONSTS,
  actConstName,
} from '../../src/kernels/uniforms.js';

const offsets = (s: { layout: { key: string; offset: number }[] }) =>
  Object.fromEntries(s.layout.map((f) => [f.key, f.offset]));

describe('uniform struct layout', () => {
  it('places scalars, a float and vec4s as WGSL does', () => {
    // 11 scalars end at 44; a vec4 aligns to 16: 48, 64, 80; size 96
    expect(offsets(MATMUL_PARAMS)).toMatchObject({ m: 0, batches: 20, alpha: 24, bSn: 40, batchShape: 48 });
    expect(offsets(MATMUL_PARAMS).bBatchStrides).toBe(80);
    expect(MATMUL_PARAMS.size).toBe(96);
  });

  it('aligns vec2 to 8 and the vec4 after it to 16', () => {
    expect(offsets(REDUCE_PARAMS)).toMatchObject({ redRank: 12, init: 16, keptShape: 32, redStrides: 80 });
  });

  it('lays out nested structs and arrays of structs with their stride', () => {
    expect(offsets(QUANTIZE_PARAMS).q).toBe(16);
    expect(QUANTIZE_PARAMS.size).toBe(40); // 16 + six u32; a buffer binding rounds it to 48
    expect(QUANTIZE_PARAMS.bindingSize).toBe(48);
    expect(offsets(RESIZE_NEAREST_PARAMS).axes).toBe(32);
    expect(RESIZE_NEAREST_PARAMS.size).toBe(32 + 8 * 32);
  });

  it('rejects members WGSL would reject in a uniform buffer', () => {
    const inner = uniformStruct('Inner', { a: 'u32' });
    expect(() => uniformStruct('Bad', { n: 'u32', s: inner })).toThrow(/Bad\.s: .* multiple of 16/);
    expect(() => uniformStruct('Bad2', { n: 'u32', _p: 'u32', _q: 'u32', _r: 'u32', s: array(inner, 2) })).toThrow(
      /element stride must be a multiple of 16/,
    );
    expect(() => uniformStruct('Bad3', { v: array('vec2<u32>', 2) })).toThrow(/element stride/);
  });

  it('generates the WGSL struct with snake_case members', () => {
    const s = uniformStruct('Demo', { padT: 'i32', aBatchStrides: 'vec4<u32>', dims: array('vec4<u32>', 2) });
    expect(s.wgsl()).toBe(
      'struct Demo {\n  pad_t: i32,\n  a_batch_strides: vec4<u32>,\n  dims: array<vec4<u32>, 2>,\n}',
    );
    expect(wgslName('outW4')).toBe('out_w4');
    expect(wgslName('valueF32')).toBe('value_f32');
  });
});

describe('uniform struct packing', () => {
  const s = uniformStruct('Demo', {
    n: 'u32',
    off: 'i32',
    scale: 'f32',
    _pad0: 'u32',
    v: 'vec4<u32>',
    d: array('vec4<i32>', 2),
  });

  it('writes each field at its offset with its type, padding zero', () => {
    const { struct, bytes } = s.pack({ n: 7, off: -3, scale: 0.5, v: [1, 2], d: [-1, 2, -3, 4, 5] });
    expect(struct).toBe('Demo');
    expect(bytes.byteLength).toBe(64);
    const dv = new DataView(bytes);
    expect([dv.getUint32(0, true), dv.getInt32(4, true), dv.getFloat32(8, true), dv.getUint32(12, true)]).toEqual([
      7, -3, 0.5, 0,
    ]);
    expect(Array.from(new Uint32Array(bytes, 16, 4))).toEqual([1, 2, 0, 0]);
    expect(Array.from(new Int32Array(bytes, 32, 8))).toEqual([-1, 2, -3, 4, 5, 0, 0, 0]);
  });

  it('names the field for missing, unknown or out-of-range values', () => {
    const ok = { n: 1, off: 0, scale: 1, v: [], d: [] };
    expect(() => s.pack({ ...ok, n: undefined } as never)).toThrow("Demo: missing field 'n' of Demo");
    expect(() => s.pack({ ...ok, extra: 1 } as never)).toThrow("Demo: no field 'extra' in Demo");
    expect(() => s.pack({ ...ok, n: 1.5 })).toThrow('Demo.n: 1.5 is not a u32');
    expect(() => s.pack({ ...ok, v: [1, 2, 3, 4, 5] })).toThrow('Demo.v: 5 values exceed its 4 lanes');
  });
});

describe('shared WGSL constants', () => {
  it('name every activation code once, with its code', () => {
    const acts = Object.entries(ACT_CODES);
    const names = acts.map(([k]) => actConstName(k as keyof typeof ACT_CODES));
    expect(new Set(names).size).toBe(acts.length);
    expect(actConstName('hardSwishClip')).toBe('ACT_HARD_SWISH_CLIP');
    expect(actConstName('isNaN')).toBe('ACT_IS_NAN');
    for (const [k, code] of acts) expect(WGSL_CONSTS.get(actConstName(k as keyof typeof ACT_CODES))).toBe(code);
    expect(WGSL_CONSTS.get('EP_ACT_PWL')).toBe(1000);
  });
});
