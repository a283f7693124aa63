// Graph -> steps: one kernel call per step, with every binding resolved to a value (or scratch) name.
import { bytesPerElement, gpuDType, isPackedInt } from '../core/dtype.js';
import { KestrelError, UnsupportedOpError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import {
  type Epilogue,
  type FakeQuant,
  type Graph,
  type Node,
  ACT_CODES,
  epilogueValues,
  withOpOf,
} from '../ir/graph.js';
import type { TensorInfo } from '../ir/infer-shapes.js';
import { kernelFor } from '../kernels/registry.js';
import type { KernelCall, KernelCaps, KernelSelection, KNode } from '../kernels/types.js';
import type { ChoiceRecord, TuningLookup } from '../kernels/tuning.js';
import { EP_ACT_PWL, EP_RES_AFTER_ACT, EP_RES_BEFORE_ACT, EP_RES_NONE } from '../kernels/uniforms.js';
import type { ShaderHeader, ShaderSpec } from '../shaders/assemble.js';
import { shaderHeader } from '../shaders/assemble.js';

export interface EpilogueBinding {
  scale: string | null;
  bias: string | null;
  residual: string | null;
  alpha: number;
  beta: number;
  postScale: number;
  postShift: number;
  /**
   * The piecewise-linear activation as data (EP_ACT_PWL): g = clamp(alpha * v / divisor + beta, lo, hi), then v * g /
   * timesInput when timesInput != 0.
   */
  lo: number;
  hi: number;
  timesInput: number;
  /** Divides alpha * v before beta is added (6 for hard-swish, else 1). */
  divisor: number;
  fakeQuant: FakeQuant | null;
}

/**
 * Ops whose kernels take the piecewise-linear activations from the uniform: a handful of flops per output is nothing
 * beside a conv's math, and one pipeline then serves none/relu/clip/hardSigmoid/hardSwish.
 */
const PWL_OPS = new Set(['conv', 'convTranspose']);
const F32_MAX = 3.4028234663852886e38;

type PiecewiseLinear = Pick<EpilogueBinding, 'alpha' | 'beta' | 'lo' | 'hi' | 'timesInput' | 'divisor'>;

/** An activation in PIECEWISE_LINEAR_ACTS as clamp(alpha * v / divisor + beta, lo, hi) (times v), or null. */
function piecewiseLinear(ep: Epilogue | undefined): PiecewiseLinear | null {
  const act = ep?.act ?? 'none';
  const pwl = (alpha: number, beta: number, lo: number, hi: number, timesInput = 0, divisor = 1) => ({
    alpha,
    beta,
    lo,
    hi,
    timesInput,
    divisor,
  });
  if (act === 'none') return pwl(1, 0, -F32_MAX, F32_MAX);
  if (act === 'relu') return pwl(1, 0, 0, F32_MAX);
  if (act === 'clip' && ep!.alpha <= ep!.beta)
    return pwl(1, 0, Math.max(ep!.alpha, -F32_MAX), Math.min(ep!.beta, F32_MAX));
  if (act === 'hardSigmoid') return pwl(ep!.alpha, ep!.beta, 0, 1);
  if (act === 'hardSwish') return pwl(1, 0.5, 0, 1, 1, 6);
  if (act === 'hardSwishClip') return pwl(1, 3, 0, 6, 6);
  if (act === 'hardSwishLinear') return pwl(ep!.alpha, ep!.beta, 0, 1, 1);
  return null;
}

export interface Step {
  node: Node;
  call: KernelCall;
  /** The call's shader spec with the epilogue overrides merged in. */
  spec: ShaderSpec;
  /** Storage bindings 1..n as value names ('#scratch:...' for scratch). */
  bindings: string[];
  epilogue: EpilogueBinding | null;
  /** The tunable decision behind the call, if its kernel has one. */
  choice?: ChoiceRecord;
}

export interface Schedule {
  steps: Step[];
  /** Zero-copy views: value -> the value whose bytes it shares. */
  aliases: Map<string, string>;
  /** Scratch buffers: name -> bytes. */
  scratch: Map<string, number>;
  /** Sub-word integer constants kept packed (raw bytes) on the GPU: only dequantize reads them. */
  packed: Set<string>;
  /** Byte offset of an alias inside the value it aliases (concat inputs written in place). */
  offsets: Map<string, number>;
}

export interface ScheduleOptions {
  /** Storage binding offset alignment: in-place concat slabs must start on it. */
  align?: number;
  /** Values read back after the run (outputs, captures): never made into slabs. */
  keep?: Set<string>;
  /** Picks among tunable kernels' candidates (a measured profile); without it the portable defaults run. */
  tuning?: TuningLookup;
}

const VIEW_OPS = new Set(['reshape', 'identity']);

export function valueBytes(info: TensorInfo): number {
  return Math.ceil(sizeOf(info.shape) * bytesPerElement(gpuDType(info.dtype)));
}

export function rootOf(aliases: Map<string, string>, name: string): string {
  let r = name;
  while (aliases.has(r)) r = aliases.get(r)!;
  return r;
}

/** Replaces a node's kernel selection (kernels-bench ladders, the tuner); undefined keeps the registry's choice. */
export type SelectOverride = (node: KNode, caps: KernelCaps, tuning?: TuningLookup) => KernelSelection | undefined;

export function buildSchedule(
  g: Graph,
  caps: KernelCaps,
  override?: SelectOverride,
  opts: ScheduleOptions = {},
): Schedule {
  const steps: Step[] = [];
  const aliases = new Map<string, string>();
  const offsets = new Map<string, number>();
  const nodes = dedupeBindings(g);
  const inPlace = inPlaceConcats(g, nodes, opts);
  const scratch = new Map<string, number>();
  const packed = packedConstants(g);
  const info = (n: string): TensorInfo | null => {
    if (!n) return null;
    const v = g.values.get(n);
    if (!v) throw new KestrelError('USAGE', `value '${n}' is not defined in the graph`);
    return { shape: v.shape, dtype: v.dtype };
  };
  for (const node of nodes) {
    if (VIEW_OPS.has(node.op)) {
      aliases.set(node.outputs[0], node.inputs[0]);
      continue;
    }
    const slabs = inPlace.get(node);
    if (slabs) {
      // the producers already wrote their slabs of the output: nothing to run
      for (const [name, byteOffset] of slabs) {
        aliases.set(name, node.outputs[0]);
        offsets.set(name, byteOffset);
      }
      continue;
    }
    const elem = floatElem(g, node);
    if (elem === 'f16' && !caps.f16)
      throw new UnsupportedOpError(
        node.name,
        node.op,
        0,
        'f16 tensors need the adapter feature shader-f16 (convert the model to f32 for this adapter)',
      );
    const def = kernelFor(node.op, node.name);
    const knode: KNode = withOpOf(node, {
      name: node.name,
      inputs: node.inputs.map(info),
      outputs: node.outputs.map((o) => info(o)!),
      epilogue: node.epilogue ?? null,
      constInputs: node.inputs.map((i) => !!i && g.values.get(i)?.data !== undefined),
      packedInputs: node.inputs.map((i) => packed.has(i)),
    });
    const sel = override?.(knode, caps, opts.tuning) ?? def.select(knode, caps, opts.tuning);
    const scratchNames = (sel.scratch ?? []).map((bytes, i) => {
      const name = `#scratch:${node.name}:${i}`;
      scratch.set(name, bytes);
      return name;
    });
    for (const call of sel.calls) {
      const bindings = call.bindings.map((b) => {
        if (b.io === 'none') return '';
        if (b.io === 'scratch') return scratchNames[b.index];
        const name = b.io === 'in' ? node.inputs[b.index] : node.outputs[b.index];
        if (!name)
          throw new KestrelError(
            'USAGE',
            `kernel ${call.variant} binds absent ${b.io}put ${b.index} of '${node.name}'`,
          );
        return name;
      });
      const header = shaderHeader(call.shader.file);
      checkParams(call, header);
      const shader = withWeightFormat(
        withElemType(call.shader, header, elem, node),
        header,
        g.values.get(bindings[1])?.dtype,
        node,
      );
      const usesEp = header.usesEpilogue;
      const ep = usesEp && call.epilogue !== false ? node.epilogue : undefined;
      const pwl = PWL_OPS.has(node.op) ? piecewiseLinear(ep) : null;
      const spec: ShaderSpec = usesEp
        ? {
            ...shader,
            overrides: {
              ...call.shader.overrides,
              EP_ACT: pwl ? EP_ACT_PWL : ACT_CODES[ep?.act ?? 'none'],
              EP_BIAS: !!ep?.bias,
              EP_SCALE: !!ep?.scale,
              EP_RES: ep?.residual ? (ep.residualBeforeAct ? EP_RES_BEFORE_ACT : EP_RES_AFTER_ACT) : EP_RES_NONE,
              // conv kernels take fake quantization as data with the piecewise-linear activation
              EP_FQ: !pwl && !!ep?.fakeQuant,
            },
          }
        : shader;
      steps.push({
        node,
        call,
        spec,
        bindings,
        choice: sel.choice,
        epilogue: usesEp
          ? {
              scale: ep?.scale || null,
              bias: ep?.bias || null,
              residual: ep?.residual || null,
              postScale: ep?.postScale ?? 1,
              postShift: ep?.postShift ?? 0,
              fakeQuant: ep?.fakeQuant ?? null,
              ...(pwl ?? { alpha: ep?.alpha ?? 0, beta: ep?.beta ?? 0, lo: 0, hi: 0, timesInput: 0, divisor: 1 }),
            }
          : null,
      });
    }
  }
  return { steps, aliases, scratch, packed, offsets };
}

/** The call's params must be packed as the struct the shader's binding 0 reads (one schema, one layout). */
export function checkParams(call: KernelCall, header: ShaderHeader): void {
  if (call.params.struct !== header.params)
    throw new KestrelError(
      'USAGE',
      `kernel ${call.variant} packs its params as ${call.params.struct} but shaders/${call.shader.file} reads ` +
        `${header.params ?? 'no params uniform'}`,
    );
}

/** Byte offset of `name` inside its root (0 for plain views). */
export function offsetOf(s: Schedule, name: string): number {
  let off = 0;
  let r = name;
  while (s.aliases.has(r)) {
    off += s.offsets.get(r) ?? 0;
    r = s.aliases.get(r)!;
  }
  return off;
}

/**
 * Concats whose inputs can be written in place: each input is a contiguous slab of the output (nothing
 * but size-1 dims before the axis), produced by a kernel step, read only by the concat, not read back,
 * and starts on the binding alignment. Their producers then write straight into the output (FPN necks).
 */
function inPlaceConcats(g: Graph, nodes: Node[], opts: ScheduleOptions): Map<Node, [string, number][]> {
  const out = new Map<Node, [string, number][]>();
  const align = opts.align ?? 256;
  const readers = new Map<string, number>();
  const producedBy = new Map<string, Node>();
  for (const n of nodes) {
    for (const i of [...n.inputs, ...epilogueValues(n.epilogue)]) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
    for (const o of n.outputs) producedBy.set(o, n);
  }
  for (const n of nodes) {
    if (n.op !== 'concat') continue;
    const outShape = g.values.get(n.outputs[0])!.shape;
    const axis = n.attrs.axis < 0 ? n.attrs.axis + outShape.length : n.attrs.axis;
    if (outShape.slice(0, axis).some((d) => d !== 1)) continue;
    const slabs: [string, number][] = [];
    let offset = 0;
    let ok = true;
    for (const i of n.inputs) {
      const v = g.values.get(i);
      const p = producedBy.get(i);
      ok &&=
        !!v &&
        !v.data &&
        !!p &&
        !VIEW_OPS.has(p.op) &&
        p.op !== 'concat' &&
        !g.inputs.includes(i) &&
        !g.outputs.includes(i) &&
        !opts.keep?.has(i) &&
        readers.get(i) === 1 &&
        offset % align === 0;
      if (!ok) break;
      slabs.push([i, offset]);
      offset += valueBytes(v!);
    }
    if (ok && slabs.length) out.set(n, slabs);
  }
  return out;
}

/**
 * int8/uint8/int4/uint4 constants read by (de)quantize nodes, and int8 conv weights (dequantize folding),
 * stay packed; any other reader is an error.
 */
function packedConstants(g: Graph): Set<string> {
  const convWeight = (n: Node) =>
    (n.op === 'conv' || n.op === 'convTranspose' || n.op === 'matmul') && g.values.get(n.inputs[1])?.dtype === 'i8';
  const slots = (n: Node): number[] =>
    n.op === 'dequantize' ? [0, 2] : n.op === 'quantize' ? [2] : convWeight(n) ? [1] : [];
  const packed = new Set<string>();
  for (const n of g.nodes) {
    for (const k of slots(n)) {
      const i = n.inputs[k];
      const v = i ? g.values.get(i) : undefined;
      if (v?.data && isPackedInt(v.dtype)) packed.add(i);
    }
  }
  for (const n of g.nodes) {
    n.inputs.forEach((i, k) => {
      if (packed.has(i) && !slots(n).includes(k))
        throw new KestrelError(
          'USAGE',
          `node '${n.name}' (${n.op}) reads packed ${g.values.get(i)!.dtype} constant '${i}'; only (de)quantize may`,
        );
    });
  }
  return packed;
}

/**
 * Two writable bindings of one dispatch may not overlap, so a node that reads one value twice
 * (Mul(x, x), or a residual equal to an input) reads a copy for the second use.
 */
function dedupeBindings(g: Graph): Node[] {
  const out: Node[] = [];
  for (const node of g.nodes) {
    if (VIEW_OPS.has(node.op)) {
      out.push(node);
      continue;
    }
    const seen = new Set<string>();
    const fix = (name: string): string => {
      if (!name || g.values.get(name)?.data) return name;
      if (!seen.has(name)) {
        seen.add(name);
        return name;
      }
      const copy = `${name}#copy:${node.name}:${seen.size}`;
      const v = g.values.get(name)!;
      g.values.set(copy, { name: copy, shape: v.shape, dtype: v.dtype });
      out.push({
        name: `${node.name}#copy${seen.size}`,
        op: 'unary',
        attrs: { act: 'none', alpha: 0, beta: 0 },
        inputs: [name],
        outputs: [copy],
        origin: node.origin,
      });
      seen.add(copy);
      return copy;
    };
    const inputs = node.inputs.map(fix);
    let epilogue = node.epilogue;
    if (epilogue?.residual) epilogue = { ...epilogue, residual: fix(epilogue.residual) };
    out.push({ ...node, inputs, epilogue });
  }
  return out;
}

/**
 * The float storage type of a node's tensors: 'f16' when any of them is f16, else 'f32'. A node may not
 * mix f16 and f32 tensors (Cast converts between them, views pass either through).
 */
function floatElem(g: Graph, node: Node): 'f32' | 'f16' {
  if (node.op === 'cast' || VIEW_OPS.has(node.op)) return 'f32';
  // constant weights of a conv/matmul are read through lib/weights.wgsl in their own format (W_FORMAT)
  const ownFormat = (k: number) => k === 1 && WEIGHT_FORMAT_OPS.has(node.op) && !!g.values.get(node.inputs[1])?.data;
  const names = [...node.inputs.filter((_, k) => !ownFormat(k)), ...node.outputs, ...epilogueValues(node.epilogue)];
  const dts = names.filter(Boolean).map((n) => g.values.get(n)?.dtype);
  if (!dts.includes('f16')) return 'f32';
  const mixed = names.find((n) => n && g.values.get(n)?.dtype === 'f32');
  if (mixed)
    throw new UnsupportedOpError(node.name, node.op, 0, `mixes f16 and f32 tensors ('${mixed}' is f32): insert a Cast`);
  return 'f16';
}

const W_FORMATS: Record<string, number> = { f32: 0, f16: 1, i8: 2 };
const WEIGHT_FORMAT_OPS = new Set(['conv', 'convTranspose', 'matmul']);

/** Supplies the `W_FORMAT` prelude (lib/weights.wgsl) from the dtype of the weights bound at binding 2. */
function withWeightFormat(shader: ShaderSpec, header: ShaderHeader, dtype: string | undefined, node: Node): ShaderSpec {
  if (!header.prelude.includes('W_FORMAT') || shader.prelude?.W_FORMAT !== undefined) return shader;
  const format = W_FORMATS[dtype ?? 'f32'];
  if (format === undefined)
    throw new UnsupportedOpError(
      node.name,
      node.op,
      0,
      `${dtype} weights: shaders/${shader.file} reads f32, f16 or int8 weights`,
    );
  return { ...shader, prelude: { ...shader.prelude, W_FORMAT: format } };
}

/**
 * Supplies the `elem_t` prelude (float storage type) to a shader that declares it, unless the kernel
 * chose one. A node with f16 tensors must get a kernel whose storage is f16: one written for f32 words
 * would read two halves as one float. A kernel that gets elem_t only through a library (the epilogue)
 * while its own arrays stay f32 is refused too, rather than run on misread data.
 */
function withElemType(shader: ShaderSpec, header: ShaderHeader, elem: 'f32' | 'f16', node: Node): ShaderSpec {
  const declares = header.prelude.includes('elem_t');
  const given = shader.prelude?.elem_t;
  const supplied = declares && given === undefined;
  const spec = supplied ? { ...shader, prelude: { ...shader.prelude, elem_t: elem } } : shader;
  const f16Storage = Object.values(spec.prelude ?? {}).some((v) => typeof v === 'string' && v.includes('f16'));
  if (elem === 'f16' && (!f16Storage || (supplied && !header.ownElemT))) {
    throw new UnsupportedOpError(node.name, node.op, 0, `f16 tensors: shaders/${shader.file} has no f16 variant yet`);
  }
  return spec;
}
