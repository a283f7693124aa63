#!/usr/bin/env node
// Builds the demo's int8 students (PP-OCRv4 det and rec, int8 per-channel weights) into .cache/models, as
// `kestrel demo` also does on first use (src/demo/students.ts): this only calls it ahead of time, for `npm test`.
// Skips the build when both files are there; `--force` rebuilds them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const models = ['ch_PP-OCRv4_det_infer', 'ch_PP-OCRv4_rec_infer'].map((n) =>
  join(root, '.cache', 'models', `${n}.int8.onnx`),
);
if (!process.argv.includes('--force') && models.every((m) => existsSync(m))) process.exit(0);
const r = spawnSync(process.execPath, [join(root, 'bin', 'kestrel.mjs'), 'demo', '--build-models'], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
