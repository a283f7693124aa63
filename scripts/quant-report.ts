// Issue-4 report: each student in every precision `kestrel quantize` writes, run on Kestrel and on
// onnxruntime-node (CPU) from the same file. Prints weight bytes on the GPU, engine parity (Kestrel vs ORT on
// that file), quantization error (vs the f32 model on ORT) and, interleaved in one process, warm latency
// as a ratio against f32. `npm run quant-report -- [--models det,rec,cls] [--runs N] [--json FILE]`
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { HostTensor } from '../src/core/tensor.js';
import { runOnnxruntime } from '../src/parity/ort.js';
import { diff } from '../src/parity/metrics.js';
import { median } from '../src/core/stats.js';
import { mdTable, num } from '../src/profile/table.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { PRECISION_VARIANTS } from '../src/parity/sweep.js';
import { adapterName, createGpuContext } from '../src/runtime/device.js';
import { Session } from '../src/runtime/session.js';
import { type Student, STUDENTS } from '../kernels-bench/models.js';
import { textLikeImage } from '../test/models/inputs.js';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'det,rec,cls' },
    runs: { type: 'string', default: '20' },
    json: { type: 'string' },
  },
});

interface Row {
  variant: string;
  fileBytes: number;
  gpuWeightBytes: number;
  parity: number;
  quantError: number;
  ms: number | null;
  error?: string;
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const ctx = await createGpuContext();
const report: { student: Student; rows: Row[] }[] = [];
const worst = (a: Record<string, HostTensor>, b: Map<string, HostTensor> | Record<string, HostTensor>) =>
  Math.max(...Object.keys(a).map((k) => diff(b instanceof Map ? b.get(k)! : b[k], a[k]).relL2));

for (const student of args.models.split(',') as Student[]) {
  const st = STUDENTS[student];
  const float = new Uint8Array(readFileSync(st.file));
  const x = textLikeImage(st.shape, 21);
  const calibration = [3, 5, 8, 13].map((seed) => ({ [st.input]: textLikeImage(st.shape, seed) }));
  const ref32 = await runOnnxruntime(float, { [st.input]: x });
  const sessions: { row: Row; session: Session | null; runs: number[] }[] = [];
  for (const [variant, q] of PRECISION_VARIANTS) {
    log(`${st.label}: ${variant}`);
    const bytes = q ? (await quantizeModel(float, { ...q, calibration, context: ctx })).bytes : float;
    const row: Row = { variant, fileBytes: bytes.length, gpuWeightBytes: 0, parity: NaN, quantError: NaN, ms: null };
    try {
      const ort = await runOnnxruntime(bytes, { [st.input]: x });
      const session = await Session.create(bytes, { shapes: { [st.input]: st.shape }, context: ctx });
      const r = await session.runDetailed({ [st.input]: x });
      row.gpuWeightBytes = r.plan.executor.memory.weightBytes;
      row.parity = worst(ort, r.outputs);
      row.quantError = worst(ref32, r.outputs);
      sessions.push({ row, session, runs: [] });
    } catch (e) {
      row.error = (e as Error).message.split('\n')[0];
      sessions.push({ row, session: null, runs: [] });
    }
  }
  for (let i = 0; i < Number(args.runs); i++) {
    for (const s of sessions) {
      if (!s.session) continue;
      const t0 = performance.now();
      await s.session.run({ [st.input]: x });
      s.runs.push(performance.now() - t0);
    }
  }
  for (const s of sessions) {
    if (s.runs.length) s.row.ms = median(s.runs);
    s.session?.release();
  }
  report.push({ student, rows: sessions.map((s) => s.row) });
}

const lines = [
  `# Quantized students on ${adapterName(ctx)}`,
  '',
  `${new Date().toISOString()} · \`npm run quant-report${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\``,
  '',
];
for (const { student, rows } of report) {
  const f32 = rows.find((r) => r.variant === 'f32')!;
  lines.push(`## ${STUDENTS[student].label}`, '');
  lines.push(
    mdTable(
      [
        'variant',
        'file MB',
        'GPU weights MB',
        'x f32',
        'Kestrel vs ORT (same file), rel L2',
        'vs f32 model (ORT), rel L2',
        `warm median ms (${args.runs} interleaved runs)`,
        'x f32 latency',
      ],
      rows.map((r) => [
        r.variant,
        num(r.fileBytes / 2 ** 20),
        r.error ? '—' : num(r.gpuWeightBytes / 2 ** 20),
        r.error ? '—' : `${num(r.gpuWeightBytes / f32.gpuWeightBytes)}x`,
        r.error ? `failed: ${r.error.slice(0, 80)}` : r.parity.toExponential(1),
        r.error ? '—' : r.quantError.toExponential(1),
        r.ms === null ? '—' : num(r.ms),
        r.ms === null || f32.ms === null ? '—' : `${num(r.ms / f32.ms)}x`,
      ]),
    ),
    '',
  );
}
console.log(lines.join('\n'));
if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
ctx.destroy();
