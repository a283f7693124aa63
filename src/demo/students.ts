// The int8 students the demo runs by default: built from the npm f32 files with Kestrel's quantizer
// (`kestrel quantize --weights int8`) the first time they are needed, into .cache/models, and checked on a real frame.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  type GpuContext,
  type HostTensor,
  Session,
  describeOutputError,
  outputError,
  quantizeModel,
} from '../index.js';
import { DB_DEFAULTS, DET_MEAN, DET_STD } from './det.js';
import { loadFrames } from './frames.js';
import type { ModelRole } from './engine.js';
import { resizeImage, toBgrTensor } from './image.js';
import { readImage } from './io.js';
import { modelFiles } from './models.js';
import { cropQuad, ctcGreedyDecode, parseDictionary, preprocessRec } from './rec.js';

export interface StudentBuild {
  role: ModelRole;
  path: string;
  /** False when the file was already there. */
  built: boolean;
  /** The accuracy check, in words (when built and checked). */
  check?: string;
}

/** The det student's check input size: the shape `kestrel quantize --shape x=1x3x320x320` used before. */
const DET_CHECK_SIZE = 320;

/** A representative input per network: a bundled frame resized for det, one of its sign lines cropped for rec. */
export function representativeInput(role: ModelRole): { tensor: HostTensor; words: string } | undefined {
  let set: ReturnType<typeof loadFrames>;
  try {
    set = loadFrames('signs');
  } catch {
    return undefined;
  }
  const { dir, frames } = set;
  const frame = frames[0];
  const img = readImage(join(dir, frame.file));
  if (role === 'det') {
    const s = DET_CHECK_SIZE;
    const data = toBgrTensor(resizeImage(img, s, s), DET_MEAN, DET_STD);
    return {
      tensor: { dtype: 'f32', shape: [1, 3, s, s], data },
      words: `the bundled frame ${frame.file} resized to ${s}x${s}`,
    };
  }
  const line = frame.lines[0];
  const rec = preprocessRec(cropQuad(img, line.quad.map(([x, y]) => ({ x, y })) as Parameters<typeof cropQuad>[1]));
  return {
    tensor: { dtype: 'f32', shape: rec.shape, data: rec.data },
    words: `the sign line "${line.text}" cropped from the bundled frame ${frame.file}`,
  };
}

/** The difference in the demo's own terms: text pixels for det, the decoded text for rec. */
function whatItMeans(role: ModelRole, got: HostTensor, ref: HostTensor): string {
  const g = got.data as Float32Array;
  const r = ref.data as Float32Array;
  if (role === 'det') {
    let both = 0;
    let either = 0;
    for (let i = 0; i < r.length; i++) {
      const a = r[i] > DB_DEFAULTS.thresh;
      const b = g[i] > DB_DEFAULTS.thresh;
      if (a && b) both++;
      if (a || b) either++;
    }
    return (
      `text pixels (p > ${DB_DEFAULTS.thresh}) overlap the f32 model's at IoU ` +
      `${(either ? both / either : 1).toFixed(3)}`
    );
  }
  const [, steps, classes] = ref.shape;
  const alphabet = parseDictionary(readFileSync(modelFiles('f32').keys, 'utf8'));
  const a = ctcGreedyDecode(r, steps, classes, alphabet).text;
  const b = ctcGreedyDecode(g, steps, classes, alphabet).text;
  return a === b ? `reads "${b}" as the f32 model does` : `reads "${b}" where the f32 model reads "${a}"`;
}

async function checkStudent(
  role: ModelRole,
  floatBytes: Uint8Array,
  studentBytes: Uint8Array,
  context?: GpuContext,
): Promise<string> {
  const sample = representativeInput(role);
  if (!sample) return 'not checked (no bundled frames)';
  const shapes = { x: sample.tensor.shape };
  const a = await Session.create(floatBytes, { shapes, context });
  try {
    const b = await Session.create(studentBytes, { shapes, context: a.ctx });
    try {
      const name = a.outputs[0].name;
      const ref = (await a.run({ x: sample.tensor }))[name];
      const got = (await b.run({ x: sample.tensor }))[name];
      return `${describeOutputError(outputError(name, got, ref), sample.words)}; ${whatItMeans(role, got, ref)}`;
    } finally {
      b.release();
    }
  } finally {
    a.release();
  }
}

/**
 * Makes sure the int8 det and rec students exist (building the missing ones, or all with `force`), printing one
 * progress line per model through `log`. Each new file is written atomically and checked against its f32 model.
 */
export async function ensureStudents(
  opts: { force?: boolean; check?: boolean; log?: (line: string) => void; context?: GpuContext; dir?: string } = {},
): Promise<StudentBuild[]> {
  const f32 = modelFiles('f32');
  const int8 = modelFiles('int8', opts.dir);
  const out: StudentBuild[] = [];
  for (const role of ['det', 'rec'] as const) {
    const path = int8[role];
    if (existsSync(path) && !opts.force) {
      out.push({ role, path, built: false });
      continue;
    }
    const t0 = performance.now();
    opts.log?.(
      `building the int8 ${role} student (first use): kestrel quantize ${basename(f32[role])} --weights int8 -> ` +
        `${path}`,
    );
    const floatBytes = new Uint8Array(readFileSync(f32[role]));
    const r = await quantizeModel(floatBytes, { weights: 'int8' });
    mkdirSync(dirname(path), { recursive: true });
    // a temporary name first, so an interrupted build never leaves a truncated model behind
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, r.bytes);
    renameSync(tmp, path);
    const build: StudentBuild = { role, path, built: true };
    const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    opts.log?.(
      `  wrote ${kib(floatBytes.length)} -> ${kib(r.bytes.length)} in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    if (opts.check !== false) {
      build.check = await checkStudent(role, floatBytes, r.bytes, opts.context);
      opts.log?.(`  accuracy: ${build.check}`);
    }
    out.push(build);
  }
  return out;
}
