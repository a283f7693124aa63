// conv2d at the shapes of the students: 3x3 (dense, strided), 1x1 (pointwise), depthwise and transposed.
import { type Family, type KernelCase, conv, dims } from './types.js';

function c2d(
  family: Family,
  id: string,
  source: string,
  x: number[],
  w: number[],
  attrs: ReturnType<typeof conv>,
  opts: { quick?: boolean; tfjs?: boolean; int8?: boolean } = {},
): KernelCase {
  return {
    family,
    id: `${family}/${opts.int8 ? 'int8w.' : ''}${id}`,
    source,
    op: 'conv',
    attrs,
    inputs: [{ shape: x }, { shape: w, weight: true, int8: opts.int8 }],
    quick: opts.quick,
    tfjs: !opts.int8 && (opts.tfjs ?? true),
  };
}

export const CONV_CASES: KernelCase[] = [
  c2d('conv3x3', 'det.neck-96to24@80', 'PP-OCRv4 det', [1, 96, 80, 80], [24, 96, 3, 3], conv(1), { quick: true }),
  c2d('conv3x3', 'det.neck-96to24@40', 'PP-OCRv4 det', [1, 96, 40, 40], [24, 96, 3, 3], conv(1)),
  c2d('conv3x3', 'det.neck-96to24@20', 'PP-OCRv4 det', [1, 96, 20, 20], [24, 96, 3, 3], conv(1)),
  c2d('conv3x3', 'det.neck-96to24@10', 'PP-OCRv4 det', [1, 96, 10, 10], [24, 96, 3, 3], conv(1)),
  c2d('conv3x3', 'det.stem-s2@320', 'PP-OCRv4 det', [1, 3, 320, 320], [16, 3, 3, 3], conv(1, 2)),
  c2d('conv3x3', 'issue6-32to64@160', 'issue 6 yardstick', [1, 32, 160, 160], [64, 32, 3, 3], conv(1), { quick: true }),
  c2d('conv3x3', 'yolo.c2f-64@80', 'YOLOv8n', [1, 64, 80, 80], [64, 64, 3, 3], conv(1)),
  c2d('conv3x3', 'yolo.down-s2-64to128@80', 'YOLOv8n', [1, 64, 80, 80], [128, 64, 3, 3], conv(1, 2)),
  c2d('conv1x1', 'det.backbone-192@20', 'PP-OCRv4 det', [1, 192, 20, 20], [192, 192, 1, 1], conv(0), { quick: true }),
  c2d('conv1x1', 'rec.mixer-240@12x80', 'PP-OCRv4 rec', [1, 240, 12, 80], [240, 240, 1, 1], conv(0), { quick: true }),
  c2d('conv1x1', 'cls.expand-32to200', 'ppocr cls', [1, 32, 2, 96], [200, 32, 1, 1], conv(0)),
  c2d('conv1x1', 'mbv2.expand-24to144@56', 'MobileNetV2', [1, 24, 56, 56], [144, 24, 1, 1], conv(0)),
  c2d('depthwise', 'det.dw5x5-192@20', 'PP-OCRv4 det', [1, 192, 20, 20], [192, 1, 5, 5], conv(2, 1, 192), {
    quick: true,
  }),
  c2d('depthwise', 'det.dw3x3-16@160', 'PP-OCRv4 det', [1, 16, 160, 160], [16, 1, 3, 3], conv(1, 1, 16), {
    quick: true,
  }),
  c2d('depthwise', 'det.dw3x3-s2-32@160', 'PP-OCRv4 det', [1, 32, 160, 160], [32, 1, 3, 3], conv(1, 2, 32)),
  c2d('depthwise', 'det.dw5x5-384@10', 'PP-OCRv4 det', [1, 384, 10, 10], [384, 1, 5, 5], conv(2, 1, 384)),
  c2d('depthwise', 'rec.dw5x5-240@12x80', 'PP-OCRv4 rec', [1, 240, 12, 80], [240, 1, 5, 5], conv(2, 1, 240)),
  c2d('depthwise', 'mbv2.dw3x3-144@56', 'MobileNetV2', [1, 144, 56, 56], [144, 1, 3, 3], conv(1, 1, 144)),
  c2d('depthwise', 'mbv2.dw3x3-s2-144@56', 'MobileNetV2', [1, 144, 56, 56], [144, 1, 3, 3], conv(1, 2, 144)),
  // int8 weights read packed in registers (dequantize folding) beside their f32 twins above
  c2d('conv3x3', 'det.neck-96to24@80', 'PP-OCRv4 det int8', [1, 96, 80, 80], [24, 96, 3, 3], conv(1), {
    quick: true,
    int8: true,
  }),
  c2d('conv1x1', 'det.backbone-192@20', 'PP-OCRv4 det int8', [1, 192, 20, 20], [192, 192, 1, 1], conv(0), {
    quick: true,
    int8: true,
  }),
  c2d('conv1x1', 'rec.mixer-240@12x80', 'PP-OCRv4 rec int8', [1, 240, 12, 80], [240, 240, 1, 1], conv(0), {
    int8: true,
  }),
  c2d('depthwise', 'det.dw5x5-192@20', 'PP-OCRv4 det int8', [1, 192, 20, 20], [192, 1, 5, 5], conv(2, 1, 192), {
    quick: true,
    int8: true,
  }),
  {
    family: 'convTranspose',
    id: 'convTranspose/det.up2x-24@80',
    source: 'PP-OCRv4 det',
    op: 'convTranspose',
    attrs: { ...conv(0, 2), outputPadding: [0, 0] },
    inputs: [{ shape: [1, 24, 80, 80] }, { shape: [24, 24, 2, 2], weight: true }],
    quick: true,
  },
];

export const convLabel = (c: KernelCase) => `${dims(c.inputs[0].shape)} * ${dims(c.inputs[1].shape)}`;
