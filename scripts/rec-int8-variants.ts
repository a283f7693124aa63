// Why rec loses accuracy fully int8: quantization variants (weight scales, calibration set, range method) scored on
// onnxruntime-node over the 43 sign-line crops of both frame sets (truth quads, 48x320): relative L2 of the softmax
// output, greedy-argmax agreement, lines read as f32 reads them, lines read right, int8 MAC share.
// Usage: npx tsx scripts/rec-int8-variants.ts [all | name prefixes, comma-separated]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frameSamples } from '../src/demo/calibration.js';
import { loadFrames } from '../src/demo/frames.js';
import { f32Assets } from '../src/demo/models.js';
import { ctcGreedyDecode, parseDictionary } from '../src/demo/rec.js';
import type { HostTensor } from '../src/core/tensor.js';
import { loadOnnxruntime } from '../src/parity/ort.js';
import { datasetError, int8Share, layerMacs } from '../src/quant/mixed.js';
import { type QuantizeOptions, quantizeModel } from '../src/quant/quantize.js';
import { TARGET_OPS } from '../src/quant/activations.js';
import { decodeModelProto } from '../src/onnx/proto.js';
import { textLikeImage } from '../src/quant/text-pages.js';

const ort = await loadOnnxruntime();
const assets = f32Assets();
const f32 = new Uint8Array(readFileSync(join(assets, 'ch_PP-OCRv4_rec_infer.onnx')));
const alphabet = parseDictionary(readFileSync(join(assets, 'ppocr_keys_v1.txt'), 'utf8'));
const shape = [1, 3, 48, 320];
const signs = frameSamples(shape, 'signs');
const gaps = frameSamples(shape, 'gaps');
const truth = (set: 'signs' | 'gaps') => loadFrames(set).frames.flatMap((f) => f.lines.map((l) => l.text));
const evalSet = [...signs, ...gaps];
const evalTruth = [...truth('signs'), ...truth('gaps')];
const pages = [1, 2, 3, 4].map((s) => textLikeImage(shape, s));
const run = async (bytes: Uint8Array, xs: HostTensor[]) => {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const out: Float32Array[][] = [];
  for (const x of xs) {
    const r = await s.run({ x: new ort.Tensor('float32', x.data, x.shape) });
    out.push(s.outputNames.map((n: string) => Float32Array.from(r[n].data as Float32Array)));
  }
  return out;
};
const ref = await run(f32, evalSet);
const decode = (o: Float32Array[][]) =>
  o.map((v) => ctcGreedyDecode(v[0], v[0].length / alphabet.length, alphabet.length, alphabet).text);
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
const refText = decode(ref);
const macs = layerMacs(f32, { x: shape });
const score = async (name: string, bytes: Uint8Array, share = NaN) => {
  const o = await run(bytes, evalSet);
  const txt = decode(o);
  let steps = 0,
    agree = 0;
  for (let i = 0; i < o.length; i++) {
    const a = o[i][0],
      b = ref[i][0],
      C = alphabet.length;
    for (let t = 0; t < a.length / C; t++) {
      let ia = 0,
        ib = 0;
      for (let c = 1; c < C; c++) {
        if (a[t * C + c] > a[t * C + ia]) ia = c;
        if (b[t * C + c] > b[t * C + ib]) ib = c;
      }
      steps++;
      if (ia === ib) agree++;
    }
  }
  const same = txt.filter((t, i) => t === refText[i]).length;
  const right = txt.filter((t, i) => norm(t) === norm(evalTruth[i])).length;
  console.log(
    `${name.padEnd(44)} relL2 ${datasetError(o, ref).toFixed(3)}  argmax ${((100 * agree) / steps).toFixed(2)}%  =f32 ${same}/${txt.length}  truth ${right}/${txt.length}  int8 MACs ${(100 * share).toFixed(1)}%`,
  );
  return txt;
};
console.log(`f32 truth ${refText.filter((t, i) => norm(t) === norm(evalTruth[i])).length}/${refText.length}`);
const want = (process.argv[2] ?? 'all').split(',');
const q = async (name: string, o: Partial<QuantizeOptions>) => {
  if (!want.includes('all') && !want.some((w) => name.startsWith(w))) return;
  const r = await quantizeModel(f32, { weights: 'int8', ...o });
  await score(name, r.bytes, int8Share(r, macs));
};
const allTargets = new Set(
  decodeModelProto(f32)
    .graph!.node.filter((n) => TARGET_OPS.has(n.opType))
    .map((n) => n.name),
);
const feeds = (xs: HostTensor[]) => xs.map((x) => ({ x }));
await q('w8 float scales', {});
for (const wm of [false, true]) {
  const t = wm ? ' mant' : '';
  await q(`w8 pow2${t} (all acts float)`, {
    activations: 'int8',
    calibration: feeds(gaps),
    floatLayers: allTargets,
    weightMantissa: wm,
  });
  await q(`full pow2${t} calib pages`, { activations: 'int8', calibration: feeds(pages), weightMantissa: wm });
  await q(`full pow2${t} calib signs`, { activations: 'int8', calibration: feeds(signs), weightMantissa: wm });
  await q(`full pow2${t} calib gaps`, { activations: 'int8', calibration: feeds(gaps), weightMantissa: wm });
  await q(`full pow2${t} calib gaps pct99.99`, {
    activations: 'int8',
    calibration: feeds(gaps),
    method: 'percentile',
    weightMantissa: wm,
  });
}
await q('full float calib gaps', { activations: 'int8', calibration: feeds(gaps), scales: 'float' });
