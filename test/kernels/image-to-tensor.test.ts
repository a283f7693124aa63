// imageToTensor in Node (Dawn) from a GPUTexture, on whatever adapter this run uses (lavapipe; SwiftShader in
// `npm run test:swiftshader`), against the CPU reference of its documented sampling (test/ref/image-to-tensor.ts).
// Tolerance: 8-bit input has a quantum of 1/255 = 3.9e-3 (÷ std ≈ 0.017 normalized); a resize off by half a pixel
// moves these gradients by several quanta, so f32 results must agree to 1e-4 (f32 rounding only).
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { imageToTensor } from '../../src/runtime/image-to-tensor.js';
import { Session } from '../../src/runtime/session.js';
import { modelBytes } from '../models/models.js';
import { imageToTensorRef, testPixels } from '../ref/image-to-tensor.js';
import { halfValues, maxAbs } from '../util.js';
import { testGpu } from './harness.js';

const TEXTURE_BINDING = 0x04;
const COPY_DST = 0x02;
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

function texture(
  device: GPUDevice,
  px: Uint8Array<ArrayBuffer>,
  w: number,
  h: number,
  format: GPUTextureFormat = 'rgba8unorm',
) {
  const t = device.createTexture({ size: [w, h], format, usage: TEXTURE_BINDING | COPY_DST });
  device.queue.writeTexture({ texture: t }, px, { bytesPerRow: w * 4 }, [w, h]);
  return t;
}

const CASES = [
  { what: 'upscale 37x23 -> 64x48, rgb', src: [37, 23], dst: [64, 48], channels: 'rgb' as const },
  { what: 'downscale 100x75 -> 33x20, bgr', src: [100, 75], dst: [33, 20], channels: 'bgr' as const },
  { what: 'same size 40x30', src: [40, 30], dst: [40, 30], channels: 'rgb' as const },
  { what: 'non-uniform 50x10 -> 20x31', src: [50, 10], dst: [20, 31], channels: 'rgb' as const },
];

describe('imageToTensor from a GPUTexture', () => {
  for (const c of CASES) {
    it(`${c.what}: matches the CPU reference`, async () => {
      const ctx = await testGpu();
      const [sw, sh] = c.src;
      const [width, height] = c.dst;
      const px = testPixels(sw, sh, sw * 7 + sh);
      const tex = texture(ctx.device, px, sw, sh);
      const opts = { width, height, mean: MEAN, std: STD, channels: c.channels };
      const t = await imageToTensor(ctx, tex, opts);
      expect(t.shape).toEqual([1, 3, height, width]);
      expect(t.dtype).toBe('f32');
      const got = (await t.download()).data as Float32Array;
      const want = imageToTensorRef(px, sw, sh, opts);
      expect(got.length).toBe(want.length);
      expect(maxAbs(got, want)).toBeLessThan(1e-4);
      t.destroy();
      tex.destroy();
    });
  }

  it('f16 output: computed with shader-f16 (to f16 rounding), an InputError naming the feature without it', async () => {
    const ctx = await testGpu();
    const px = testPixels(29, 17, 5);
    const tex = texture(ctx.device, px, 29, 17);
    const opts = { width: 24, height: 16, mean: MEAN, std: STD, dtype: 'f16' as const };
    if (!ctx.features.shaderF16) {
      await expect(imageToTensor(ctx, tex, opts)).rejects.toThrow(/'f16' needs the shader-f16 feature/);
      return;
    }
    const t = await imageToTensor(ctx, tex, opts);
    const host = await t.download();
    expect(host.dtype).toBe('f16');
    const got = halfValues(host);
    // |values| < 2.7, where an f16 step is at most 2^-9 (2e-3): the f32 result rounded once
    expect(maxAbs(got, imageToTensorRef(px, 29, 17, opts))).toBeLessThan(2e-3);
    t.destroy();
  });

  it('bad input is an InputError naming what was wrong', async () => {
    const ctx = await testGpu();
    const tex = texture(ctx.device, testPixels(8, 8), 8, 8);
    const bad = async (source: unknown, opts: object, msg: RegExp) => {
      const e = await imageToTensor(ctx, source as GPUTexture, { width: 4, height: 4, ...opts }).catch(
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toMatch(msg);
    };
    await bad(new Uint8Array(16), {}, /copy a Uint8Array|unsupported source Uint8Array/);
    await bad(tex, { width: 0 }, /width must be an integer in 1\.\.\d+, got 0/);
    await bad(tex, { height: 2.5 }, /height must be an integer/);
    await bad(tex, { layout: 'nhwc' }, /layout 'nhwc' is not supported/);
    await bad(tex, { dtype: 'i32' }, /dtype 'i32' is not supported/);
    await bad(tex, { mean: [0, 0] }, /mean must be 3 finite numbers/);
    await bad(tex, { std: [1, 0, 1] }, /std must not contain 0/);
    const ints = ctx.device.createTexture({ size: [4, 4], format: 'r32uint', usage: TEXTURE_BINDING });
    await bad(ints, {}, /format 'r32uint' cannot be read as float color/);
    const noBinding = ctx.device.createTexture({ size: [4, 4], format: 'rgba8unorm', usage: COPY_DST });
    await bad(noBinding, {}, /needs TEXTURE_BINDING usage/);
    const t = await imageToTensor(ctx, tex, { width: 4, height: 4 });
    t.destroy();
    expect(() => t.buffer).toThrow(/destroy\(\) was called/);
  });

  it('feeds a session directly: cls on the GPU tensor matches cls on host-preprocessed input', async () => {
    const ctx = await testGpu();
    const session = await Session.create(modelBytes('cls'), { context: ctx, shapes: { x: [1, 3, 48, 192] } });
    try {
      const [sw, sh] = [240, 61];
      const px = testPixels(sw, sh, 42);
      const tex = texture(ctx.device, px, sw, sh);
      const opts = { width: 192, height: 48, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;
      const t = await imageToTensor(ctx, tex, opts);
      const name = session.inputs[0].name;
      const gpu = await session.run({ [name]: t });
      const host = await session.run({
        [name]: { data: Float32Array.from(imageToTensorRef(px, sw, sh, opts)), shape: [1, 3, 48, 192] },
      });
      const out = session.outputs[0].name;
      expect(gpu[out].shape).toEqual(host[out].shape);
      // inputs differ by f32 rounding (< 1e-4): class probabilities agree far below any decision margin
      expect(maxAbs(gpu[out].data as Float32Array, host[out].data as Float32Array)).toBeLessThan(1e-3);
      t.destroy();
    } finally {
      session.release();
    }
  });
});
