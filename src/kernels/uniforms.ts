// Every kernel's uniform struct and every constant WGSL shares with TypeScript, defined once. The shader loader
// prepends the struct a shader's `var<uniform>` names (and the constants its text uses) to the WGSL; kernels
// pack their params with the same schema. Add a field here, then read it in WGSL as params.snake_case_name.
import { array, uniformStruct, type UniformStruct } from '../core/uniform-struct.js';
import { ACT_CODES } from '../ir/graph.js';

/** Up to MAX_RANK (8) dims or strides, as WGSL array<vec4<u32>, 2>. */
const dims = array('vec4<u32>', 2);

export const CONV_PARAMS = uniformStruct('ConvParams', {
  cin: 'u32',
  h: 'u32',
  w: 'u32',
  cout: 'u32',
  oh: 'u32',
  ow: 'u32',
  kh: 'u32',
  kw: 'u32',
  strideH: 'u32',
  strideW: 'u32',
  dilH: 'u32',
  dilW: 'u32',
  padT: 'i32',
  padL: 'i32',
  cinG: 'u32',
  coutG: 'u32',
  // output-channel blocks per group (grid y = group * oc_blocks)
  ocBlocks: 'u32',
  // pixel blocks per output row
  owBlocks: 'u32',
  // pixel blocks per (image, channel block): the lanes that do work
  lanes: 'u32',
  // convTranspose: output rows/cols of one phase sub-grid, and phases along W (0 for conv)
  phaseRows: 'u32',
  phaseCols: 'u32',
  phasesW: 'u32',
});

export const WINOGRAD_PARAMS = uniformStruct('WinogradParams', {
  cin: 'u32',
  h: 'u32',
  w: 'u32',
  cout: 'u32',
  oh: 'u32',
  ow: 'u32',
  padT: 'i32',
  padL: 'i32',
  cinG: 'u32',
  coutG: 'u32',
  // output-channel blocks of TM per group (grid y = group * oc_blocks)
  ocBlocks: 'u32',
  // blocks of TT tiles per tile row
  tileBlocksW: 'u32',
  // tile blocks per (image, channel block): the lanes that do work
  lanes: 'u32',
});

export const QCONV_PARAMS = uniformStruct('QConvParams', {
  pixels: 'u32',
  outW: 'u32',
  outH: 'u32',
  outC: 'u32',
  inH: 'i32',
  inW: 'i32',
  cg: 'u32',
  c4: 'u32',
  kh: 'u32',
  kw: 'u32',
  ocPerGroup: 'u32',
  wRow: 'u32',
  strideH: 'i32',
  strideW: 'i32',
  padH: 'i32',
  padW: 'i32',
  dilH: 'i32',
  dilW: 'i32',
  xZero: 'i32',
  xOffset: 'i32',
  xN: 'u32',
  xC: 'u32',
  xH: 'u32',
  xW: 'u32',
  yN: 'u32',
  yC: 'u32',
  yH: 'u32',
  yW: 'u32',
  yZero: 'i32',
  qmin: 'i32',
  qmax: 'i32',
  yDiv: 'f32',
});

export const MATMUL_PARAMS = uniformStruct('MatmulParams', {
  m: 'u32',
  n: 'u32',
  k: 'u32',
  tilesN: 'u32',
  tilesM: 'u32',
  batches: 'u32',
  alpha: 'f32',
  aSm: 'u32',
  aSk: 'u32',
  bSk: 'u32',
  bSn: 'u32',
  // batch dims merged on the host to at most 4, outermost first, padded at the front with 1s
  batchShape: 'vec4<u32>',
  aBatchStrides: 'vec4<u32>',
  bBatchStrides: 'vec4<u32>',
});

/** binary.wgsl, binary_i32.wgsl, compare.wgsl: strides 0 along broadcast axes. */
export const BROADCAST_PARAMS = uniformStruct('BroadcastParams', {
  count: 'u32',
  rank: 'u32',
  shape: dims,
  aStrides: dims,
  bStrides: dims,
});
export const BCAST4_PARAMS = uniformStruct('Bcast4Params', {
  cols4: 'u32',
  rows: 'u32',
  lowRowStride: 'u32',
  lowColStride: 'u32',
  shiftH: 'u32',
  shiftW: 'u32',
});
export const WHERE_PARAMS = uniformStruct('WhereParams', {
  count: 'u32',
  rank: 'u32',
  shape: dims,
  cStrides: dims,
  xStrides: dims,
  yStrides: dims,
});
/** Kernels that need only their element count (casts, copies, integer unary). */
export const COUNT_PARAMS = uniformStruct('CountParams', { count: 'u32' });
export const UNARY_PARAMS = uniformStruct('UnaryParams', { count: 'u32', alpha: 'f32', beta: 'f32' });

export const COPY_STRIDED_PARAMS = uniformStruct('CopyStridedParams', {
  count: 'u32',
  rank: 'u32',
  srcBase: 'i32',
  dstBase: 'u32',
  shape: dims,
  srcStrides: array('vec4<i32>', 2),
  dstStrides: dims,
});
export const PIXEL_SHUFFLE_PARAMS = uniformStruct('PixelShuffleParams', {
  cols4: 'u32',
  rows: 'u32',
  w: 'u32',
  hw: 'u32',
  shiftH: 'u32',
  shiftW: 'u32',
});
export const GATHER_PARAMS = uniformStruct('GatherParams', { count: 'u32', inner: 'u32', nIdx: 'u32', axisDim: 'u32' });
export const PAD_PARAMS = uniformStruct('PadParams', {
  count: 'u32',
  rank: 'u32',
  valueF32: 'f32',
  valueBits: 'u32',
  outShape: dims,
  inStrides: dims,
  // per axis: first kept input index (crop), kept length, positive begin pad
  cropBegin: dims,
  cropLen: dims,
  padBegin: dims,
});

export const LAYER_NORM_PARAMS = uniformStruct('LayerNormParams', {
  rows: 'u32',
  len: 'u32',
  // scale and bias repeat every `param_len` elements of a row (they broadcast over leading dims)
  paramLen: 'u32',
  lastDim: 'u32',
  epsilon: 'f32',
});
/** batchnorm.wgsl and batchnorm_fold.wgsl. */
export const BATCH_NORM_PARAMS = uniformStruct('BatchNormParams', {
  count: 'u32',
  channels: 'u32',
  spatial: 'u32',
  epsilon: 'f32',
});
export const SOFTMAX_PARAMS = uniformStruct('SoftmaxParams', { rows: 'u32', len: 'u32', inner: 'u32' });

export const POOL_PARAMS = uniformStruct('PoolParams', {
  count: 'u32',
  inH: 'u32',
  inW: 'u32',
  outH: 'u32',
  outW: 'u32',
  kernelH: 'u32',
  kernelW: 'u32',
  strideH: 'u32',
  strideW: 'u32',
  padTop: 'u32',
  padLeft: 'u32',
  dilationH: 'u32',
  dilationW: 'u32',
  // in_h + pad_bottom and in_w + pad_right: the padded extent
  paddedH: 'u32',
  paddedW: 'u32',
  countIncludePad: 'u32',
});
export const GLOBAL_POOL_PARAMS = uniformStruct('GlobalPoolParams', { planes: 'u32', planeSize: 'u32' });

function reduceParams(name: string, init: 'vec2<f32>' | 'vec2<i32>') {
  return uniformStruct(name, {
    outputs: 'u32',
    len: 'u32',
    keptRank: 'u32',
    redRank: 'u32',
    // the combine's identity, e.g. -inf for max (not expressible as a WGSL constant)
    init,
    // merged dims (at most 4 kept and 4 reduced for rank <= 8), outermost first, padded at the front
    keptShape: 'vec4<u32>',
    keptStrides: 'vec4<u32>',
    redShape: 'vec4<u32>',
    redStrides: 'vec4<u32>',
  });
}
export const REDUCE_PARAMS = reduceParams('ReduceParams', 'vec2<f32>');
export const REDUCE_I32_PARAMS = reduceParams('ReduceI32Params', 'vec2<i32>');
export const ARG_REDUCE_PARAMS = uniformStruct('ArgReduceParams', {
  rows: 'u32',
  len: 'u32',
  inner: 'u32',
  // -inf for argmax, +inf for argmin
  init: 'f32',
});

/** Index of the scale / zero point for element i: (outer, axis / block, inner) with per-layout strides. */
export const QUANT_INDEX = uniformStruct('QuantIndex', {
  inner: 'u32',
  axisDim: 'u32',
  block: 'u32',
  strideOuter: 'u32',
  strideAxis: 'u32',
  strideInner: 'u32',
});
export const QUANTIZE_PARAMS = uniformStruct('QuantizeParams', {
  count: 'u32',
  qmin: 'i32',
  qmax: 'i32',
  _pad0: 'u32',
  q: QUANT_INDEX,
});
export const DEQUANTIZE_PARAMS = uniformStruct('DequantizeParams', {
  count: 'u32',
  _pad0: 'u32',
  _pad1: 'u32',
  _pad2: 'u32',
  q: QUANT_INDEX,
});

/** One axis of a resize: source coordinate = (x + half) * num / den + add. */
export const RESIZE_AXIS = uniformStruct('ResizeAxis', {
  inLen: 'u32',
  outLen: 'u32',
  // 1: the axis is unchanged; callers use the output index itself (exact beyond f32's 2^24 integers)
  identity: 'u32',
  _pad0: 'u32',
  half: 'f32',
  num: 'f32',
  den: 'f32',
  add: 'f32',
});
export const RESIZE_NEAREST_PARAMS = uniformStruct('ResizeNearestParams', {
  count: 'u32',
  rank: 'u32',
  nearestMode: 'u32',
  // tf_crop_and_resize: check the source range and write `extrapolation_bits` outside it
  crop: 'u32',
  extrapolationBits: 'u32',
  extrapolationF32: 'f32',
  _pad0: 'u32',
  _pad1: 'u32',
  axes: array(RESIZE_AXIS, 8),
});
export const RESIZE_2D_PARAMS = uniformStruct('Resize2dParams', {
  count: 'u32',
  mid: 'u32',
  inner: 'u32',
  crop: 'u32',
  extrapolation: 'f32',
  cubicA: 'f32',
  excludeOutside: 'u32',
  _pad0: 'u32',
  // axes[0] is H, axes[1] is W
  axes: array(RESIZE_AXIS, 2),
});
export const UPSAMPLE_PARAMS = uniformStruct('UpsampleParams', {
  outW4: 'u32',
  inW: 'u32',
  shiftH: 'u32',
  shiftW: 'u32',
  rows: 'u32',
});

/** shaders/bench/ (kestrel profile's ceilings and the kernels-bench ladders). */
export const PEAK_PARAMS = uniformStruct('PeakParams', { invocations: 'u32', iters: 'u32', m: 'f32', c: 'f32' });
/** shaders/lib/image_to_tensor.wgsl; bgr nonzero: output channels are b, g, r (OpenCV / PaddleOCR order). */
export const IMAGE_TO_TENSOR_PARAMS = uniformStruct('ImageToTensorParams', {
  dstW: 'u32',
  dstH: 'u32',
  bgr: 'u32',
  _pad0: 'u32',
  mean: 'vec4<f32>',
  stddev: 'vec4<f32>',
});
export const NOOP_PARAMS = uniformStruct('NoopParams', { value: 'u32' });
export const NAIVE_MATMUL_PARAMS = uniformStruct('NaiveMatmulParams', {
  m: 'u32',
  n: 'u32',
  k: 'u32',
  batches: 'u32',
  aBatchStride: 'u32',
  bBatchStride: 'u32',
});

// The fused epilogue (shaders/lib/epilogue.wgsl), in bind group 1. Whole vec4s: on lavapipe each uniform read
// in the (inlined, per output) epilogue is a load, and one vec4 load is cheaper than four scalar ones.
export const EPILOGUE_PARAMS = uniformStruct('EpilogueParams', {
  // alpha, beta, post_scale, post_shift
  actAffine: 'vec4<f32>',
  // lo, hi, t (0: g, else v * g / t: the clip-form hard-swish's / 6 after the product), divisor (v / 6 before it)
  actRange: 'vec4<f32>',
  // fake quantization: scale, zero point, qmin, qmax (scale 0: off)
  fakeQuant: 'vec4<f32>',
});
/** EP_ACT: the piecewise-linear activations (none, relu, clip, hardSigmoid, hardSwish) as data in EpilogueParams. */
export const EP_ACT_PWL = 1000;
/** EP_RES: where the residual is added. */
export const EP_RES_NONE = 0;
export const EP_RES_BEFORE_ACT = 1;
export const EP_RES_AFTER_ACT = 2;

/** Every uniform struct the loader can prepend, by WGSL name. */
export const UNIFORM_STRUCTS: ReadonlyMap<string, UniformStruct<never>> = new Map(
  [
    CONV_PARAMS,
    WINOGRAD_PARAMS,
    QCONV_PARAMS,
    MATMUL_PARAMS,
    BROADCAST_PARAMS,
    BCAST4_PARAMS,
    WHERE_PARAMS,
    COUNT_PARAMS,
    UNARY_PARAMS,
    COPY_STRIDED_PARAMS,
    PIXEL_SHUFFLE_PARAMS,
    GATHER_PARAMS,
    PAD_PARAMS,
    LAYER_NORM_PARAMS,
    BATCH_NORM_PARAMS,
    SOFTMAX_PARAMS,
    POOL_PARAMS,
    GLOBAL_POOL_PARAMS,
    REDUCE_PARAMS,
    REDUCE_I32_PARAMS,
    ARG_REDUCE_PARAMS,
    QUANT_INDEX,
    QUANTIZE_PARAMS,
    DEQUANTIZE_PARAMS,
    RESIZE_AXIS,
    RESIZE_NEAREST_PARAMS,
    RESIZE_2D_PARAMS,
    UPSAMPLE_PARAMS,
    PEAK_PARAMS,
    NOOP_PARAMS,
    NAIVE_MATMUL_PARAMS,
    EPILOGUE_PARAMS,
    IMAGE_TO_TENSOR_PARAMS,
  ].map((s) => [s.name, s as UniformStruct<never>]),
);

/** ACT_CODES as WGSL constant names: hardSwishClip -> ACT_HARD_SWISH_CLIP, isNaN -> ACT_IS_NAN. */
export function actConstName(act: keyof typeof ACT_CODES): string {
  return `ACT_${act
    .replace('NaN', 'Nan')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()}`;
}

/** u32 constants the loader emits into a shader's prelude when its text names them. */
export const WGSL_CONSTS: ReadonlyMap<string, number> = new Map([
  ...Object.entries(ACT_CODES).map(([act, code]) => [actConstName(act as keyof typeof ACT_CODES), code] as const),
  ['EP_ACT_PWL', EP_ACT_PWL],
  ['EP_RES_NONE', EP_RES_NONE],
  ['EP_RES_BEFORE_ACT', EP_RES_BEFORE_ACT],
  ['EP_RES_AFTER_ACT', EP_RES_AFTER_ACT],
]);
