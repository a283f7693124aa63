// Runs one case of the official ONNX backend tests (Debian's libonnx-testdata) and compares with the
// stored outputs at the ONNX test tolerance (rtol 1e-3, atol 1e-7).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { f16ToF32 } from '../../src/core/dtype.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { LOWERINGS } from '../../src/onnx/import.js';
import { loadModel } from '../../src/onnx/load.js';
import { decodeTensorProto } from '../../src/onnx/proto.js';
import { decodeTensor } from '../../src/onnx/tensor.js';
import type { GpuContext } from '../../src/runtime/device.js';
import type { PipelineCache } from '../../src/runtime/pipelines.js';
import { Session } from '../../src/runtime/session.js';
import { ONNX_DTYPE } from '../../src/core/dtype.js';
import { UnsupportedOpError } from '../../src/core/errors.js';

export const TESTDATA = '/usr/share/libonnx-testdata/data';
export const SUITES = ['node', 'pytorch-converted', 'pytorch-operator'] as const;

export interface CaseInfo {
  suite: string;
  name: string;
  dir: string;
  ops: string[];
  /** Why Kestrel does not claim this case (unsupported op or dtype), or null when it does. */
  unclaimed: string | null;
}

const SUPPORTED_DTYPES = new Set(['f32', 'f16', 'i64', 'i32', 'bool', 'u8', 'i8']);

export function listCases(): CaseInfo[] {
  const out: CaseInfo[] = [];
  for (const suite of SUITES) {
    const root = join(TESTDATA, suite);
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      if (!existsSync(join(dir, 'model.onnx'))) continue;
      out.push({ suite, name, dir, ...classify(dir) });
    }
  }
  return out;
}

function classify(dir: string): { ops: string[]; unclaimed: string | null } {
  let model;
  try {
    model = loadModelSync(dir);
  } catch (e) {
    return { ops: [], unclaimed: `model not loadable: ${(e as Error).message.split('\n')[0]}` };
  }
  const ops = [
    ...new Set(
      model.graph.node.map((n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType)),
    ),
  ].sort();
  const missing = ops.filter((o) => !LOWERINGS[o]);
  if (missing.length) return { ops, unclaimed: `unsupported op ${missing.join(', ')}` };
  const ios = [...model.graph.input, ...model.graph.output];
  for (const v of ios) {
    const et = v.type?.tensorType?.elemType;
    if (et === undefined) return { ops, unclaimed: `non-tensor input/output '${v.name}'` };
    const dt = ONNX_DTYPE[et];
    if (!dt || !SUPPORTED_DTYPES.has(dt)) return { ops, unclaimed: `dtype ${dt ?? et} of '${v.name}'` };
  }
  return { ops, unclaimed: null };
}

// Synchronous peek at the graph for classification (the real run goes through loadModel).
import { decodeModel } from '../../src/onnx/decode.js';
function loadModelSync(dir: string) {
  return decodeModel(new Uint8Array(readFileSync(join(dir, 'model.onnx'))));
}

function readPb(file: string): HostTensor {
  const t = decodeTensorProto(readFileSync(file));
  return decodeTensor(t, file, DEFAULT_LIMITS);
}

export function readDataSet(dir: string): { inputs: HostTensor[]; outputs: HostTensor[] } {
  const ds = join(dir, 'test_data_set_0');
  const files = readdirSync(ds);
  const pick = (prefix: string) =>
    files
      .filter((f) => f.startsWith(prefix))
      .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
      .map((f) => readPb(join(ds, f)));
  return { inputs: pick('input_'), outputs: pick('output_') };
}

function num(t: HostTensor, i: number): number {
  const v = t.data[i];
  return t.dtype === 'f16' ? f16ToF32(v as number) : Number(v);
}

/** null when `ours` matches `ref` at rtol/atol; otherwise what differs. */
export function allclose(ours: HostTensor, ref: HostTensor, rtol = 1e-3, atol = 1e-7): string | null {
  if (ours.shape.join(',') !== ref.shape.join(',')) return `shape [${ours.shape}] vs expected [${ref.shape}]`;
  for (let i = 0; i < ref.data.length; i++) {
    const a = num(ours, i),
      b = num(ref, i);
    if (Number.isNaN(b) ? !Number.isNaN(a) : !(Math.abs(a - b) <= atol + rtol * Math.abs(b)) && a !== b) {
      return `element ${i}: got ${a}, expected ${b}`;
    }
  }
  return null;
}

/** 'pass', 'unsupported: <reason>' (a typed UnsupportedOpError naming the feature), or the failure. */
export async function caseStatus(c: CaseInfo, ctx: GpuContext, cache: PipelineCache): Promise<string> {
  try {
    const bad = await runCase(c, ctx, cache);
    return bad ? `fail: ${bad}` : 'pass';
  } catch (e) {
    if (e instanceof UnsupportedOpError) return `unsupported: ${e.message.replace(/^node '[^']*': /, '')}`;
    return `fail: ${(e as Error).message.split('\n')[0]}`;
  }
}

export async function runCase(c: CaseInfo, ctx: GpuContext, cache: PipelineCache): Promise<string | null> {
  const model = await loadModel(join(c.dir, 'model.onnx'));
  const { inputs, outputs } = readDataSet(c.dir);
  const feeds: Record<string, HostTensor> = {};
  model.inputs.forEach((io, i) => {
    feeds[io.name] = inputs[i];
  });
  const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape]));
  const session = await Session.create(model, { shapes, context: ctx, pipelineCache: cache });
  try {
    const ours = await session.run(feeds);
    for (let i = 0; i < model.outputs.length; i++) {
      const bad = allclose(ours[model.outputs[i].name], outputs[i]);
      if (bad) return `output '${model.outputs[i].name}': ${bad}`;
    }
    return null;
  } finally {
    session.release();
  }
}
