// onnxruntime-node as the CPU reference (an optional peer dependency).
import { KestrelError, MissingDependencyError } from '../core/errors.js';
import { isModuleNotFound } from '../core/missing-module.js';
import type { HostTensor } from '../core/tensor.js';

const ORT_TYPE: Record<string, OrtTensor['type']> = {
  f32: 'float32',
  f16: 'float16',
  i64: 'int64',
  i32: 'int32',
  u8: 'uint8',
  i8: 'int8',
  bool: 'bool',
};
const FROM_ORT: Record<string, HostTensor['dtype']> = {
  float32: 'f32',
  float16: 'f16',
  int64: 'i64',
  int32: 'i32',
  uint8: 'u8',
  int8: 'i8',
  bool: 'bool',
};

/** The onnxruntime-node module (an optional dependency, loaded on demand; its types come with it). */
export type Ort = typeof import('onnxruntime-node');
export type OrtSession = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
type OrtTensor = InstanceType<Ort['Tensor']>;

/** Loads onnxruntime-node; `why` names the feature that needs it in the error when it is missing. */
export async function loadOnnxruntime(why = '--against onnxruntime'): Promise<Ort> {
  const name = 'onnxruntime-node';
  try {
    return (await import(/* @vite-ignore */ name)) as Ort;
  } catch (e) {
    if (isModuleNotFound(e, name)) throw new MissingDependencyError(name, why);
    throw new KestrelError(
      'USAGE',
      `${why}: onnxruntime-node is installed but failed to load: ${(e as Error).message}`,
    );
  }
}

/** Runs `model` on onnxruntime's CPU provider; `extraOutputs` adds intermediate values as outputs. */
export async function runOnnxruntime(
  model: Uint8Array,
  feeds: Record<string, HostTensor>,
  outputs?: string[],
): Promise<Record<string, HostTensor>> {
  const o = await loadOnnxruntime();
  const session = await o.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'disabled',
  });
  // ORT's constructor overloads pair each type name with its array type; HostTensor makes the same pairing
  const Tensor = o.Tensor as new (type: OrtTensor['type'], data: HostTensor['data'], dims: number[]) => OrtTensor;
  const f: Record<string, OrtTensor> = {};
  for (const [k, t] of Object.entries(feeds)) f[k] = new Tensor(ORT_TYPE[t.dtype], t.data, t.shape);
  const r = await session.run(f, outputs ?? session.outputNames);
  const out: Record<string, HostTensor> = {};
  for (const [k, t] of Object.entries(r)) {
    out[k] = { dtype: FROM_ORT[t.type] ?? 'f32', shape: [...t.dims], data: t.data as HostTensor['data'] };
  }
  await session.release?.();
  return out;
}
