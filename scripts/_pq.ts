import { readFileSync, writeFileSync } from 'node:fs';
import { runOnnxruntime } from '../src/parity/ort.js';
import { diff } from '../src/parity/metrics.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { createGpuContext } from '../src/runtime/device.js';
import { Session } from '../src/runtime/session.js';
import { STUDENTS } from '../kernels-bench/models.js';
import { textLikeImage } from '../test/models/inputs.js';
const ctx = await createGpuContext();
const [models, scales] = [process.argv[2] ?? 'det,cls,rec', process.argv[3] ?? 'pow2'];
for (const student of models.split(',')) {
  const st = (STUDENTS as any)[student];
  const float = new Uint8Array(readFileSync(st.file));
  const x = textLikeImage(st.shape, 21);
  const calibration = [3, 5, 8, 13].map((seed) => ({ [st.input]: textLikeImage(st.shape, seed) }));
  const ref32 = await runOnnxruntime(float, { [st.input]: x });
  const q = await quantizeModel(float, { weights: 'int8', activations: 'int8', calibration, context: ctx, scales: scales as any });
  writeFileSync(`/tmp/exp/${student}.${scales}.onnx`, q.bytes);
  const ort = await runOnnxruntime(q.bytes, { [st.input]: x });
  const s = await Session.create(q.bytes, { shapes: { [st.input]: st.shape }, context: ctx });
  const r = await s.runDetailed({ [st.input]: x });
  for (const k of Object.keys(ort)) console.log(student, scales, 'kept', q.kept.length, 'ranges', q.ranges.length, 'parity', diff(r.outputs.get(k)!, ort[k]).relL2.toExponential(2), 'ORT vs f32', diff(ort[k], ref32[k]).relL2.toExponential(2));
  s.release();
}
ctx.destroy();
