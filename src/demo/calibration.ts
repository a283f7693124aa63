// Calibration samples for `kestrel quantize --calibration frames`: the bundled demo frames, preprocessed as the
// demo does. An input 48 high (the recognizer) gets the frames' sign-line crops, padded to its width; any other
// gets whole frames resized to its shape. Scoring the demo on the frames it was calibrated on is in-sample.
import { join } from 'node:path';
import type { HostTensor } from '../core/tensor.js';
import { DET_MEAN, DET_STD } from './det.js';
import { resizeImage, toBgrTensor } from './image.js';
import { readImage } from './io.js';
import { type FrameSet, loadFrames } from './frames.js';
import { REC_HEIGHT, cropQuad, recTensor } from './rec.js';

export function frameSamples(shape: number[], set: FrameSet = 'signs'): HostTensor[] {
  const [, , h, w] = shape;
  const { dir, frames } = loadFrames(set);
  const out: HostTensor[] = [];
  for (const f of frames) {
    const img = readImage(join(dir, f.file));
    if (h === REC_HEIGHT) {
      for (const line of f.lines) {
        const quad = line.quad.map(([x, y]) => ({ x, y })) as Parameters<typeof cropQuad>[1];
        out.push({ dtype: 'f32', shape: [1, 3, h, w], data: recTensor(cropQuad(img, quad), w).data });
      }
    } else
      out.push({ dtype: 'f32', shape: [1, 3, h, w], data: toBgrTensor(resizeImage(img, w, h), DET_MEAN, DET_STD) });
  }
  return out;
}
