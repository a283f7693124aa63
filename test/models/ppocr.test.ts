// End-to-end parity of the PP-OCR student networks against onnxruntime-node (CPU), the independent reference.
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/runtime/session.js';
import { runOnnxruntime } from '../../src/parity/ort.js';
import { diff } from '../../src/parity/metrics.js';
import { testGpu } from '../kernels/harness.js';
import { textLikeImage } from './inputs.js';
import { modelBytes } from './models.js';

const CASES: ['det' | 'rec' | 'cls', number[]][] = [
  ['det', [1, 3, 320, 320]],
  ['det', [1, 3, 640, 640]],
  ['rec', [1, 3, 48, 320]],
  ['cls', [1, 3, 48, 192]],
];

describe('PP-OCR students match onnxruntime-node', () => {
  for (const [name, shape] of CASES) {
    it(`${name} at ${shape.join('x')}`, async () => {
      const bytes = modelBytes(name);
      const x = textLikeImage(shape, 7);
      const ctx = await testGpu();
      const session = await Session.create(bytes, { shapes: { x: shape }, context: ctx });
      let submits = 0;
      const queue = ctx.device.queue;
      const submit = queue.submit.bind(queue);
      queue.submit = (cmds) => {
        submits++;
        submit(cmds);
      };
      try {
        const ours = await session.run({ x });
        expect(submits).toBe(1);
        const ref = await runOnnxruntime(bytes, { x });
        for (const [k, t] of Object.entries(ref)) {
          expect(ours[k].shape).toEqual(t.shape);
          const d = diff(ours[k], t);
          expect(d.nanInf).toBe(0);
          expect(d.relL2).toBeLessThan(1e-4);
        }
      } finally {
        queue.submit = submit;
        session.release();
      }
    }, 300_000);
  }
});
