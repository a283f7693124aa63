// Every uniform schema against the struct its shaders are compiled with: the loader's assembled WGSL is parsed
// and probed on the device (see uniform-probe.ts), so a packing that disagrees with WGSL's layout fails here.
import { describe, expect, it } from 'vitest';
import { type Fields, uniformStruct, type UniformStruct } from '../../src/core/uniform-struct.js';
import { CONV_PARAMS, RESIZE_NEAREST_PARAMS, UNIFORM_STRUCTS } from '../../src/kernels/uniforms.js';
import { shaderTable } from '../../src/shaders/table.js';
import { assembleShader, shaderHeader } from '../../src/shaders/assemble.js';
import { testGpu } from './harness.js';
import { probeUniformLayout } from './uniform-probe.js';

/** Any prelude the file declares, with f32 types and u32 4s (layouts do not depend on them). */
function assembled(file: string): string {
  const prelude = Object.fromEntries(shaderHeader(file).prelude.map((n) => [n, /_t$/.test(n) ? 'f32' : 4]));
  return assembleShader({ file, prelude });
}

// The first shader file that declares each struct's uniform (bench files included), so the WGSL is real.
const kernelFiles = Object.keys(shaderTable())
  .filter((f) => !f.startsWith('lib/'))
  .sort();
const firstReader = new Map<string, string>();
for (const file of kernelFiles)
  for (const name of shaderHeader(file).uniforms) if (!firstReader.has(name)) firstReader.set(name, file);

describe('uniform schemas match the WGSL the pipelines are built with', () => {
  it('every schema is read by some shader', () => {
    expect([...UNIFORM_STRUCTS.keys()].filter((n) => !firstReader.has(n))).toEqual([]);
  });

  it.each([...UNIFORM_STRUCTS.keys()])('%s', async (name) => {
    const ctx = await testGpu();
    const problems = await probeUniformLayout(ctx, assembled(firstReader.get(name)!), UNIFORM_STRUCTS.get(name)!);
    expect(problems).toEqual([]);
  });
});

describe('the layout probe catches a mismatched struct', () => {
  const withExtra = (s: UniformStruct<never>, after: string) =>
    uniformStruct(
      s.name,
      Object.fromEntries(
        Object.entries(s.fields).flatMap(([k, t]) =>
          k === after
            ? [
                [k, t],
                ['extraField', 'u32'],
              ]
            : [[k, t]],
        ),
      ) as Fields,
    ) as UniformStruct<never>;

  it('a field added to the TypeScript schema only', async () => {
    const ctx = await testGpu();
    const packer = withExtra(CONV_PARAMS as UniformStruct<never>, 'padT');
    const problems = await probeUniformLayout(ctx, assembled('conv2d_igemm.wgsl'), packer);
    expect(problems).toContain('ConvParams.extra_field: in the schema, not in the WGSL struct');
    // every field after the insertion moved by 4 bytes in the packing
    expect(problems.some((p) => p.startsWith('ConvParams.pad_l: the shader reads'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ConvParams.cin:'))).toBe(false);
  });

  it('a field added to the WGSL struct only', async () => {
    const ctx = await testGpu();
    const wgsl = assembled('conv2d_igemm.wgsl').replace('  pad_t: i32,\n', '  pad_t: i32,\n  extra: u32,\n');
    const problems = await probeUniformLayout(ctx, wgsl, CONV_PARAMS as UniformStruct<never>);
    expect(problems).toContain('ConvParams.extra: in the WGSL struct, not in the schema');
    expect(problems.some((p) => p.startsWith('ConvParams.pad_l: the shader reads'))).toBe(true);
  });

  it('a nested struct whose padding is dropped on one side', async () => {
    const ctx = await testGpu();
    // without ResizeAxis's _pad0 the WGSL array stride is invalid for a uniform: the probe reports it
    const wgsl = assembled('resize_nearest.wgsl').replace('  _pad0: u32,\n', '');
    const problems = await probeUniformLayout(ctx, wgsl, RESIZE_NEAREST_PARAMS as UniformStruct<never>);
    expect(problems.length).toBeGreaterThan(0);
  });
});
