// The small IR: about twenty ops with concrete shapes. The importer specializes a model to one set of
// input shapes, so every value here has a known shape and dtype.
import type { DType } from '../core/dtype.js';
import type { HostTensor } from '../core/tensor.js';

/** Unary functions: used by the 'unary' op and by epilogues (one enum, one WGSL implementation). */
export const ACT_CODES = {
  none: 0,
  relu: 1,
  clip: 2,
  sigmoid: 3,
  hardSigmoid: 4,
  hardSwish: 5,
  silu: 6,
  gelu: 7,
  leakyRelu: 8,
  tanh: 9,
  erf: 10,
  sqrt: 11,
  exp: 12,
  log: 13,
  abs: 14,
  neg: 15,
  reciprocal: 16,
  floor: 17,
  ceil: 18,
  round: 19,
  sin: 20,
  cos: 21,
  softplus: 22,
  elu: 23,
  selu: 24,
  sign: 25,
  not: 26,
  geluTanh: 27,
  softsign: 28,
  celu: 29,
  thresholdedRelu: 30,
  mish: 31,
  isNaN: 32,
  isInf: 33,
  tan: 34,
  asin: 35,
  acos: 36,
  atan: 37,
  sinh: 38,
  cosh: 39,
  asinh: 40,
  acosh: 41,
  atanh: 42,
  // hard-swish as exporters write it out, each rounded as its ops round: x * Clip(x + 3, 0, 6) / 6 and
  // x * HardSigmoid(x; alpha, beta) (the built-in hardSwish is x * clamp(x / 6 + 0.5, 0, 1))
  hardSwishClip: 43,
  hardSwishLinear: 44,
} as const;
export type ActKind = keyof typeof ACT_CODES;

/** What a producer kernel applies to each output element before storing it: fusion as data. */
export interface Epilogue {
  act: ActKind;
  alpha: number;
  beta: number;
  /**
   * Per-output-channel multiplier applied to the accumulator before the bias (a constant of shape [C]):
   * a batch norm after a conv whose weights are not constants here (f16 behind a Cast) folds into it.
   */
  scale?: string;
  /** Per-output-channel bias (a constant value of shape [C]). */
  bias?: string;
  /** A value of the output's shape added elementwise. */
  residual?: string;
  /** true: act(acc + bias + residual); false: act(acc + bias) + residual. */
  residualBeforeAct?: boolean;
  /** A scalar affine after the activation: act(...) * postScale + postShift (default 1, 0). */
  postScale?: number;
  postShift?: number;
  /** Last: QuantizeLinear then DequantizeLinear (per tensor) of the value, when nothing else reads it. */
  fakeQuant?: FakeQuant;
}

/** q = clamp(round(v / scale) + zeroPoint, qmin, qmax), then (q - zeroPoint) * scale. */
export interface FakeQuant {
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
}

/** Activations of the form clamp(a * v / d + b, lo, hi) (times v, over t): conv kernels take them as uniform data. */
export const PIECEWISE_LINEAR_ACTS: ReadonlySet<ActKind> = new Set<ActKind>([
  'none',
  'relu',
  'clip',
  'hardSigmoid',
  'hardSwish',
  'hardSwishClip',
  'hardSwishLinear',
]);

/** The values an epilogue reads: scale, bias, residual (absent ones left out). */
export function epilogueValues(e: Epilogue | null | undefined): string[] {
  return e ? [e.scale, e.bias, e.residual].filter((v): v is string => !!v) : [];
}

export type BinaryKind =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'max'
  | 'min'
  | 'mod'
  | 'fmod'
  | 'prelu'
  | 'equal'
  | 'less'
  | 'greater'
  | 'lessOrEqual'
  | 'greaterOrEqual'
  | 'and'
  | 'or'
  | 'xor';
export type ReduceKind = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'sumSquare' | 'l1' | 'l2' | 'logSum' | 'logSumExp';
export type CoordMode =
  | 'half_pixel'
  | 'pytorch_half_pixel'
  | 'align_corners'
  | 'asymmetric'
  | 'tf_crop_and_resize'
  | 'half_pixel_symmetric'
  | 'tf_half_pixel_for_nn';
export const COORD_MODES: CoordMode[] = [
  'half_pixel',
  'pytorch_half_pixel',
  'align_corners',
  'asymmetric',
  'tf_crop_and_resize',
  'half_pixel_symmetric',
  'tf_half_pixel_for_nn',
];
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

export interface ConvAttrs {
  strides: number[];
  pads: number[];
  dilations: number[];
  group: number;
}
export interface ConvTransposeAttrs extends ConvAttrs {
  outputPadding: number[];
}
export interface MatmulAttrs {
  transA: boolean;
  transB: boolean;
  alpha: number;
}
export interface BinaryAttrs {
  kind: BinaryKind;
}
export interface UnaryAttrs {
  act: ActKind;
  alpha: number;
  beta: number;
}
export interface CastAttrs {
  to: DType;
}
export interface SoftmaxAttrs {
  axis: number;
  log: boolean;
}
export interface PoolAttrs {
  kind: 'max' | 'avg';
  kernel: number[];
  strides: number[];
  pads: number[];
  dilations: number[];
  countIncludePad: boolean;
  ceilMode: boolean;
}
export interface ReduceAttrs {
  kind: ReduceKind;
  axes: number[];
  keepDims: boolean;
}
export interface ArgReduceAttrs {
  kind: 'max' | 'min';
  axis: number;
  keepDims: boolean;
  selectLastIndex: boolean;
}
export interface LayerNormAttrs {
  axis: number;
  epsilon: number;
}
export interface BatchNormAttrs {
  epsilon: number;
}
export interface TransposeAttrs {
  perm: number[];
}
/** Full-rank, already normalized: starts within [0,dim] (or [-1,dim-1] for negative steps), steps != 0. */
export interface SliceAttrs {
  starts: number[];
  ends: number[];
  steps: number[];
}
export interface ConcatAttrs {
  axis: number;
}
export interface ExpandAttrs {
  shape: number[];
}
/** pads: [begin_0..begin_{r-1}, end_0..end_{r-1}], may be negative (crop). */
export interface PadAttrs {
  pads: number[];
  mode: 'constant' | 'reflect' | 'edge' | 'wrap';
  value: number;
}
export interface ResizeAttrs {
  mode: 'nearest' | 'linear' | 'cubic';
  coordMode: CoordMode;
  nearestMode: NearestMode;
  scales: number[];
  outShape: number[];
  cubicCoeffA: number;
  excludeOutside: boolean;
  extrapolationValue: number;
  /** tf_crop_and_resize region of interest: [starts..., ends...], normalized. */
  roi: number[];
}
export interface GatherAttrs {
  axis: number;
}
export interface ReshapeAttrs {
  shape: number[];
}
/**
 * Linear (de)quantization along `axis` (-1: per tensor). blockSize > 0: blocked along `axis`, the scale
 * has the input's shape with that dim divided by blockSize (rounded up).
 */
export interface QuantAttrs {
  axis: number;
  blockSize: number;
  to?: DType;
  saturate?: boolean;
  /** Closes an imported QLinearConv/QLinearMatMul: an integer kernel requantizes like onnxruntime's. */
  integerRequant?: boolean;
  /** QuantizeLinear then DequantizeLinear in one step: the output is the float (q - zero) * scale. */
  fake?: boolean;
}
/**
 * Integer conv / matmul (passes/fuse-qdq.ts): int8/uint8 activation x, int8 weights packed 4 per u32 along K
 * (conv K order: tap-major, channels padded to 4 per tap), i32 bias with the zero-point correction folded in,
 * and per-channel requantization y = clamp(round((f32(acc + bias) * mult + shift) / yDiv) + yZero, qmin, qmax).
 * Inputs: [x, wPacked u32 [OC, K4], bias i32 [OC], requant f32 [2, OC] (mult row, then shift row)].
 */
export interface QLinearAttrs {
  xZero: number;
  /** Subtracted from x before packing (128 for uint8, 0 for int8); folded back through the bias. */
  xOffset: number;
  yZero: number;
  /** 1 (onnxruntime's integer QLinearConv: mult = sx*sw/sy), or sy (float conv then QuantizeLinear: mult = sx*sw). */
  yDiv: number;
  qmin: number;
  qmax: number;
  to: DType;
  /** Logical weight shape: conv [OC, C/g, KH, KW]; matmul [K, N]. */
  wShape: number[];
  conv?: ConvAttrs;
}

export interface Value {
  name: string;
  shape: number[];
  dtype: DType;
  /** Constant data (weights, folded constants). */
  data?: HostTensor;
}

/** Each IR op's attributes: the one table that types `node.attrs` by `node.op`. */
export interface OpAttrs {
  conv: ConvAttrs;
  convTranspose: ConvTransposeAttrs;
  matmul: MatmulAttrs;
  binary: BinaryAttrs;
  unary: UnaryAttrs;
  cast: CastAttrs;
  softmax: SoftmaxAttrs;
  pool: PoolAttrs;
  reduce: ReduceAttrs;
  layerNorm: LayerNormAttrs;
  batchNorm: BatchNormAttrs;
  transpose: TransposeAttrs;
  slice: SliceAttrs;
  concat: ConcatAttrs;
  expand: ExpandAttrs;
  pad: PadAttrs;
  resize: ResizeAttrs;
  gather: GatherAttrs;
  where: NoAttrs;
  reshape: ReshapeAttrs;
  identity: NoAttrs;
  argReduce: ArgReduceAttrs;
  quantize: QuantAttrs;
  dequantize: QuantAttrs;
  qconv: QLinearAttrs;
  qmatmul: QLinearAttrs;
}
export type IrOp = keyof OpAttrs;
export type NoAttrs = Record<string, never>;

/** Pairs each op with its attributes: `{op: 'conv', attrs: ConvAttrs} | {op: 'matmul', attrs: MatmulAttrs} | ...`. */
export type WithAttrs<Base, K extends IrOp = IrOp> = { [P in K]: Base & { op: P; attrs: OpAttrs[P] } }[K];

export interface NodeBase {
  name: string;
  /** Value names; '' marks an absent optional input. */
  inputs: string[];
  outputs: string[];
  epilogue?: Epilogue;
  /** The ONNX node names this node carries (more than one after fusion). */
  origin: string[];
}

/** An IR node: a union discriminated on `op`, so `node.attrs` has that op's attribute type. */
export type Node = WithAttrs<NodeBase>;
/** The nodes of one op (or a few): `NodeOf<'conv'>` has `attrs: ConvAttrs`. */
export type NodeOf<K extends IrOp> = Extract<Node, { op: K }>;

/** Builds a node of op `op` (the one place the op/attrs pairing is asserted for a generic op). */
export function makeNode<K extends IrOp>(op: K, attrs: OpAttrs[K], base: NodeBase): NodeOf<K> {
  return { ...base, op, attrs } as NodeOf<K>;
}

/** `base` with the op and attributes of `src` (an IR node, a kernel's node, a bench case): the pair stays typed. */
export function withOpOf<B extends object>(src: WithAttrs<object>, base: B): WithAttrs<B> {
  return { ...base, op: src.op, attrs: src.attrs } as WithAttrs<B>;
}

/** Narrows a node to one op (a type guard, for `find`/`filter` callbacks). */
export function isOp<K extends IrOp>(n: Node, op: K): n is NodeOf<K> {
  return n.op === op;
}

export interface Graph {
  values: Map<string, Value>;
  nodes: Node[];
  inputs: string[];
  outputs: string[];
}

export function isConst(g: Graph, name: string): boolean {
  return !!name && g.values.get(name)?.data !== undefined;
}

/** Consumers of each value, in node order (graph outputs count as a consumer named ''). */
export function consumers(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) {
    const ins = [...n.inputs, ...epilogueValues(n.epilogue)];
    for (const i of ins)
      if (i) {
        const l = m.get(i) ?? [];
        if (!l.includes(n)) l.push(n);
        m.set(i, l);
      }
  }
  return m;
}

export function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}
