// Elementwise ONNX ops -> IR 'unary' / 'binary' / 'where' / 'cast'.
import { ONNX_DTYPE, ONNX_DTYPE_NAME } from '../../core/dtype.js';
import { hostTensor } from '../../core/tensor.js';
import type { ActKind, BinaryKind } from '../../ir/graph.js';
import type { ImportContext } from '../context.js';
import type { Lowering } from './types.js';

function unary(act: ActKind, params?: (c: ImportContext) => [number, number]): Lowering {
  return (c) => {
    const [alpha, beta] = params ? params(c) : [0, 0];
    c.emit('unary', { act, alpha, beta }, [c.requireInput(0, 'X')], c.outputName());
  };
}

function binary(kind: BinaryKind): Lowering {
  return (c) => {
    const a = c.requireInput(0, 'A');
    let b = c.requireInput(1, 'B');
    // Pow's exponent may have another type than its base: compute in the base's type
    if (kind === 'pow' && c.dtype(b) !== c.dtype(a)) b = c.emit('cast', { to: c.dtype(a) }, [b]);
    c.emit('binary', { kind }, [a, b], c.outputName());
  };
}

/** The representable range of an integer dtype, for clamping constants into it. */
function intRange(dt: string): [number, number] {
  return (
    (
      { i8: [-128, 127], u8: [0, 255], i32: [-2147483648, 2147483647], u32: [0, 4294967295] } as Record<
        string,
        [number, number]
      >
    )[dt] ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]
  );
}

/** Sum/Max/Min/Mean over any number of inputs: a chain of binary nodes. */
function variadic(kind: BinaryKind, mean = false): Lowering {
  return (c) => {
    const ins = c.node.input.map((_, i) => c.input(i)).filter(Boolean);
    if (ins.length === 0) c.fail('needs at least one input');
    let acc = ins[0];
    for (let i = 1; i < ins.length; i++) {
      const last = i === ins.length - 1 && !mean;
      acc = c.emit('binary', { kind }, [acc, ins[i]], last ? c.outputName() : undefined);
    }
    if (mean) {
      const n = c.constant(hostTensor(c.dtype(acc), [], [ins.length]));
      c.emit('binary', { kind: 'div' }, [acc, n], c.outputName());
    } else if (ins.length === 1) {
      c.emit('identity', {}, [acc], c.outputName());
    }
  };
}

function clip(c: ImportContext): void {
  let lo = -3.4028234663852886e38;
  let hi = 3.4028234663852886e38;
  if (c.opset < 11) {
    lo = c.attrs.float('min', lo);
    hi = c.attrs.float('max', hi);
  } else {
    const l = c.input(1),
      h = c.input(2);
    const x = c.requireInput(0, 'X');
    // bounds computed at run time: max then min with the bound values
    if ((l && !c.constOf(l)) || (h && !c.constOf(h)) || (c.dtype(x) !== 'f32' && c.dtype(x) !== 'f16')) {
      const [rlo, rhi] = intRange(c.dtype(x));
      const isInt = c.dtype(x) !== 'f32' && c.dtype(x) !== 'f16';
      const lo_ = l || c.constant(hostTensor(c.dtype(x), [], [isInt ? rlo : lo]));
      const hi_ = h || c.constant(hostTensor(c.dtype(x), [], [isInt ? rhi : hi]));
      c.emit('binary', { kind: 'min' }, [c.emit('binary', { kind: 'max' }, [x, lo_]), hi_], c.outputName());
      return;
    }
    if (l) lo = c.requiredInts(1, 'min')[0];
    if (h) hi = c.requiredInts(2, 'max')[0];
  }
  const x = c.requireInput(0, 'X');
  if (c.dtype(x) !== 'f32' && c.dtype(x) !== 'f16') {
    const [rlo, rhi] = intRange(c.dtype(x));
    const lo_ = c.constant(hostTensor(c.dtype(x), [], [Math.max(lo, rlo)]));
    const hi_ = c.constant(hostTensor(c.dtype(x), [], [Math.min(hi, rhi)]));
    c.emit('binary', { kind: 'min' }, [c.emit('binary', { kind: 'max' }, [x, lo_]), hi_], c.outputName());
    return;
  }
  c.emit('unary', { act: 'clip', alpha: lo, beta: hi }, [x], c.outputName());
}

function cast(c: ImportContext): void {
  const to = c.attrs.int('to');
  const dt = ONNX_DTYPE[to];
  if (!dt) c.unsupported(`cast to ${ONNX_DTYPE_NAME[to] ?? to}`);
  const x = c.requireInput(0, 'input');
  if (c.dtype(x) === dt) c.emit('identity', {}, [x], c.outputName());
  else c.emit('cast', { to: dt }, [x], c.outputName());
}

function gelu(c: ImportContext): void {
  const approx = c.attrs.string('approximate', 'none');
  c.emit(
    'unary',
    { act: approx === 'tanh' ? 'geluTanh' : 'gelu', alpha: 0, beta: 0 },
    [c.requireInput(0, 'X')],
    c.outputName(),
  );
}

function isInf(c: ImportContext): void {
  c.emit(
    'unary',
    { act: 'isInf', alpha: c.attrs.int('detect_positive', 1), beta: c.attrs.int('detect_negative', 1) },
    [c.requireInput(0, 'X')],
    c.outputName(),
  );
}

function where(c: ImportContext): void {
  c.emit('where', {}, [c.requireInput(0, 'condition'), c.requireInput(1, 'X'), c.requireInput(2, 'Y')], c.outputName());
}

function mod(c: ImportContext): void {
  const fmod = c.attrs.int('fmod', 0);
  c.emit('binary', { kind: fmod ? 'fmod' : 'mod' }, [c.requireInput(0, 'A'), c.requireInput(1, 'B')], c.outputName());
}

export const ELEMENTWISE: Record<string, Lowering> = {
  Relu: unary('relu'),
  Sigmoid: unary('sigmoid'),
  Tanh: unary('tanh'),
  Erf: unary('erf'),
  Sqrt: unary('sqrt'),
  Exp: unary('exp'),
  Log: unary('log'),
  Abs: unary('abs'),
  Neg: unary('neg'),
  Reciprocal: unary('reciprocal'),
  Floor: unary('floor'),
  Ceil: unary('ceil'),
  Round: unary('round'),
  Sin: unary('sin'),
  Cos: unary('cos'),
  Tan: unary('tan'),
  Asin: unary('asin'),
  Acos: unary('acos'),
  Atan: unary('atan'),
  Sinh: unary('sinh'),
  Cosh: unary('cosh'),
  Asinh: unary('asinh'),
  Acosh: unary('acosh'),
  Atanh: unary('atanh'),
  Softplus: unary('softplus'),
  Softsign: unary('softsign'),
  Sign: unary('sign'),
  Not: unary('not'),
  IsNaN: unary('isNaN'),
  IsInf: isInf,
  Mish: unary('mish'),
  HardSwish: unary('hardSwish'),
  HardSigmoid: unary('hardSigmoid', (c) => [c.attrs.float('alpha', 0.2), c.attrs.float('beta', 0.5)]),
  LeakyRelu: unary('leakyRelu', (c) => [c.attrs.float('alpha', 0.01), 0]),
  Elu: unary('elu', (c) => [c.attrs.float('alpha', 1), 0]),
  Selu: unary('selu', (c) => [
    c.attrs.float('alpha', 1.67326319217681884765625),
    c.attrs.float('gamma', 1.05070102214813232421875),
  ]),
  Celu: unary('celu', (c) => [c.attrs.float('alpha', 1), 0]),
  ThresholdedRelu: unary('thresholdedRelu', (c) => [c.attrs.float('alpha', 1), 0]),
  Gelu: gelu,
  Clip: clip,
  Cast: cast,
  Where: where,
  Mod: mod,
  Add: binary('add'),
  Sub: binary('sub'),
  Mul: binary('mul'),
  Div: binary('div'),
  Pow: binary('pow'),
  PRelu: binary('prelu'),
  Equal: binary('equal'),
  Less: binary('less'),
  Greater: binary('greater'),
  LessOrEqual: binary('lessOrEqual'),
  GreaterOrEqual: binary('greaterOrEqual'),
  And: binary('and'),
  Or: binary('or'),
  Xor: binary('xor'),
  Sum: variadic('add'),
  Max: variadic('max'),
  Min: variadic('min'),
  Mean: variadic('add', true),
};
