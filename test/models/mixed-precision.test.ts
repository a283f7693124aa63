// `kestrel quantize --activations int8 --max-error E` on a model whose sensitive layer is known: conv2 reads a
// tensor with one outlier channel (200x the others), so a per-tensor uint8 scale crushes the other channels.
// The search must keep conv2 reading float, quantize conv1 and conv3, and meet E against onnxruntime's f32 run.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT_OK, EXIT_USAGE, main } from '../../src/cli/main.js';
import { toNpy } from '../../src/io/npy.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { chooseFloatLayers } from '../../src/quant/mixed.js';
import { ModelProtoType, type OnnxModel } from '../../src/onnx/proto.js';
import { testGpu } from '../kernels/harness.js';
import { graph, io as ioSpec, node, tensor } from '../onnx-builder.js';
import { randomTensor, relL2 } from '../util.js';

function outlierModel(): Uint8Array {
  const w1 = randomTensor([8, 4, 3, 3], 1).data as Float32Array;
  for (let i = 0; i < 36; i++) w1[i] = Math.abs(w1[i]) * 200; // output channel 0: the outlier
  const w2 = randomTensor([8, 8, 1, 1], 2).data as Float32Array;
  for (let o = 0; o < 8; o++) w2[o * 8] = 0; // conv2 ignores it, but its input scale must cover it
  const w3 = randomTensor([4, 8, 3, 3], 3).data as Float32Array;
  const pads = { pads: [1, 1, 1, 1] };
  return graph(
    [
      node('Conv', ['x', 'w1'], ['a'], pads, 'conv1'),
      node('Relu', ['a'], ['ar'], undefined, 'relu1'),
      node('Conv', ['ar', 'w2'], ['b'], undefined, 'conv2'),
      node('Relu', ['b'], ['br'], undefined, 'relu2'),
      node('Conv', ['br', 'w3'], ['y'], pads, 'conv3'),
    ],
    [ioSpec('x', [1, 4, 8, 8])],
    [ioSpec('y', [1, 4, 8, 8])],
    [tensor('w1', [8, 4, 3, 3], w1), tensor('w2', [8, 8, 1, 1], w2), tensor('w3', [4, 8, 3, 3], w3)],
  );
}
// MACs: conv1 64*8*4*9, conv2 64*8*8, conv3 64*4*8*9; with conv2 float, int8 runs 36864 / 40960
const INT8_SHARE = (18432 + 18432) / (18432 + 4096 + 18432);
const samples = [11, 12, 13, 14].map((s) => ({ x: randomTensor([1, 4, 8, 8], s, 0, 1) }));

async function errorVsFloat(float: Uint8Array, quantized: Uint8Array, xs: typeof samples): Promise<number> {
  let num = 0,
    den = 0;
  for (const x of xs) {
    const [f, q] = [(await runOnnxruntime(float, x)).y.data, (await runOnnxruntime(quantized, x)).y.data];
    const e = relL2(q as Float32Array, f as Float32Array);
    let n2 = 0;
    for (const v of f as Float32Array) n2 += v * v;
    num += e * e * n2;
    den += n2;
  }
  return Math.sqrt(num / den);
}

describe('quantize --max-error', () => {
  it('keeps the outlier-reading conv float, quantizes the rest and meets E against onnxruntime f32', async () => {
    const float = outlierModel();
    const opts = {
      weights: 'int8' as const,
      activations: 'int8' as const,
      calibration: samples,
      context: await testGpu(),
    };
    const { result, report } = await chooseFloatLayers(float, opts, 0.05);
    expect(report.fullError).toBeGreaterThan(0.05);
    expect(report.keptFloat.map((k) => k.node)).toEqual(['conv2']);
    expect(report.int8MacShare).toBeCloseTo(INT8_SHARE, 6);
    // the written file: conv1 and conv3 read dequantized inputs, conv2 reads the float relu output
    const m = ModelProtoType.decode(result.bytes) as unknown as OnnxModel;
    const inputOf = (name: string) => m.graph!.node.find((n) => n.name === name)!.input[0];
    expect([inputOf('conv1'), inputOf('conv2'), inputOf('conv3')]).toEqual(['x_qdq', 'ar', 'br_qdq']);
    expect(await errorVsFloat(float, result.bytes, samples)).toBeLessThanOrEqual(0.05);
    expect(Math.abs((await errorVsFloat(float, result.bytes, samples)) - report.error)).toBeLessThan(1e-6);
    // and on inputs it was not calibrated on, the same order of error
    expect(await errorVsFloat(float, result.bytes, [{ x: randomTensor([1, 4, 8, 8], 99, 0, 1) }])).toBeLessThan(0.1);
  }, 120_000);

  it('CLI: prints the float layers and the int8 MAC share; --max-error needs --activations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-mixed-'));
    mkdirSync(join(dir, 'cal'));
    samples.forEach((s, i) => writeFileSync(join(dir, 'cal', `s${i}.npy`), toNpy(s.x)));
    writeFileSync(join(dir, 'f.onnx'), outlierModel());
    const out: string[] = [],
      err: string[] = [];
    const cio: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
    const args = ['quantize', join(dir, 'f.onnx'), join(dir, 'q.onnx'), '--weights', 'int8'];
    expect(
      await main([...args, '--activations', 'int8', '--calibration', join(dir, 'cal'), '--max-error', '0.05'], cio),
    ).toBe(EXIT_OK);
    const text = out.join('\n');
    const floats = [...text.matchAll(/^ {2}float layer (\S+) +sensitivity +(\S+)/gm)];
    expect(floats.map((f) => f[1])).toEqual(['conv2']);
    expect(Number(floats[0][2])).toBeGreaterThan(0);
    const share = /^int8 MACs: ([\d.]+)% of conv\/matmul MACs, 1 layers kept float$/m.exec(text);
    expect(Number(share![1])).toBeCloseTo(100 * INT8_SHARE, 1);
    const e = Number(/error (\S+) \(max 0\.05;/.exec(text)![1]);
    expect(e).toBeLessThanOrEqual(0.05);
    expect(await errorVsFloat(outlierModel(), new Uint8Array(readFileSync(join(dir, 'q.onnx'))), samples)).toBeCloseTo(
      e,
      2,
    );
    const u = { out: () => undefined, err: (t: string) => err.push(t) };
    expect(await main([...args, '--max-error', '0.05'], u)).toBe(EXIT_USAGE);
    expect(err.join('\n')).toContain('--max-error chooses which activations stay float: it needs --activations int8');
  }, 120_000);
});
