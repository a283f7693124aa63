// softmax, pooling, elementwise and resize at the students' shapes.
import type { KernelCase } from './types.js';

const pool = (kind: 'max' | 'avg', k: number[], s: number, p: number) => ({
  kind, kernel: k, strides: [s, s], pads: [p, p, p, p], dilations: [1, 1], countIncludePad: false, ceilMode: false,
});

export const OTHER_CASES: KernelCase[] = [
  { family: 'softmax', id: 'softmax/rec.ctc-40x6625', source: 'PP-OCRv4 rec', op: 'softmax', attrs: { axis: -1, log: false }, inputs: [{ shape: [40, 6625] }], quick: true, tfjs: true },
  { family: 'softmax', id: 'softmax/vit.attn-12x197x197', source: 'ViT-B/16', op: 'softmax', attrs: { axis: -1, log: false }, inputs: [{ shape: [1, 12, 197, 197] }], tfjs: true },
  { family: 'softmax', id: 'softmax/rec.attn-8x40x40', source: 'PP-OCRv4 rec', op: 'softmax', attrs: { axis: -1, log: false }, inputs: [{ shape: [1, 8, 40, 40] }], tfjs: true },
  { family: 'pool', id: 'pool/det.se-gap-96@80', source: 'PP-OCRv4 det', op: 'pool', attrs: pool('avg', [80, 80], 1, 0), inputs: [{ shape: [1, 96, 80, 80] }], quick: true },
  { family: 'pool', id: 'pool/yolo.sppf-max5-256@20', source: 'YOLOv8n', op: 'pool', attrs: pool('max', [5, 5], 1, 2), inputs: [{ shape: [1, 256, 20, 20] }] },
  { family: 'pool', id: 'pool/cls.max2x2-200', source: 'ppocr cls', op: 'pool', attrs: pool('max', [2, 2], 2, 0), inputs: [{ shape: [1, 200, 2, 96] }] },
  { family: 'elementwise', id: 'elementwise/det.add-96@80', source: 'PP-OCRv4 det', op: 'binary', attrs: { kind: 'add' }, inputs: [{ shape: [1, 96, 80, 80] }, { shape: [1, 96, 80, 80] }], quick: true },
  { family: 'elementwise', id: 'elementwise/det.se-mul-96@80', source: 'PP-OCRv4 det', op: 'binary', attrs: { kind: 'mul' }, inputs: [{ shape: [1, 96, 80, 80] }, { shape: [1, 96, 1, 1] }] },
  // the neck's up2(x) + y after the upsampleIntoBinary pass: x viewed as [.., 40, 1, 40, 1]
  { family: 'elementwise', id: 'elementwise/det.up2-add-96@40', source: 'PP-OCRv4 det', op: 'binary', attrs: { kind: 'add' }, inputs: [{ shape: [1, 96, 40, 2, 40, 2] }, { shape: [1, 96, 40, 1, 40, 1] }], quick: true },
  { family: 'elementwise', id: 'elementwise/rec.hardswish-240@12x80', source: 'PP-OCRv4 rec', op: 'unary', attrs: { act: 'hardSwish', alpha: 0, beta: 0 }, inputs: [{ shape: [1, 240, 12, 80] }] },
  {
    family: 'resize', id: 'resize/det.nearest2x-96@40', source: 'PP-OCRv4 det', op: 'resize', quick: true,
    attrs: { mode: 'nearest', coordMode: 'asymmetric', nearestMode: 'floor', scales: [1, 1, 2, 2], outShape: [1, 96, 80, 80], cubicCoeffA: -0.75, excludeOutside: false, extrapolationValue: 0, roi: [] },
    inputs: [{ shape: [1, 96, 40, 40] }],
  },
  {
    family: 'resize', id: 'resize/det.nearest8x-24@10', source: 'PP-OCRv4 det', op: 'resize',
    attrs: { mode: 'nearest', coordMode: 'asymmetric', nearestMode: 'floor', scales: [1, 1, 8, 8], outShape: [1, 24, 80, 80], cubicCoeffA: -0.75, excludeOutside: false, extrapolationValue: 0, roi: [] },
    inputs: [{ shape: [1, 24, 10, 10] }],
  },
];
