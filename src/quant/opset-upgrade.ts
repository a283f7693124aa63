// Rewrites a model's default-domain ops to opset 13, so per-axis QuantizeLinear/DequantizeLinear can be
// used. Only ops whose inputs or attributes changed between opsets 7 and 13 need rewriting; an op
// with changed semantics that is not handled here is refused rather than silently kept.
import { UnsupportedOpError } from '../core/errors.js';
import type { OnnxAttribute, OnnxModel, OnnxNode } from '../onnx/proto.js';
import { int64 } from '../onnx/proto.js';
import { Constants, attr, floatTensor, int64Tensor, makeNode, setOpset } from './onnx-edit.js';

export const TARGET_OPSET = 13;
const UNHANDLED = new Set(['TopK', 'Scan', 'If', 'Loop', 'Hardmax']);

function take(n: OnnxNode, name: string): OnnxAttribute | undefined {
  const i = n.attribute.findIndex((a) => a.name === name);
  if (i < 0) return undefined;
  return n.attribute.splice(i, 1)[0];
}

export function upgradeOpset(model: OnnxModel): number {
  const from = int64(model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version);
  if (from >= TARGET_OPSET) return 0;
  const consts = new Constants(model);
  const out: OnnxNode[] = [];
  let k = 0;
  const constName = (base: string) => `${base}__up${k++}`;
  let rewrites = 0;
  for (const n of model.graph!.node) {
    const name = n.name || `${n.opType}_${k}`;
    if (n.domain && n.domain !== 'ai.onnx') {
      out.push(n);
      continue;
    }
    if (UNHANDLED.has(n.opType))
      throw new UnsupportedOpError(name, n.opType, from, `upgrading opset ${from} to ${TARGET_OPSET} for quantization`);
    const ints = (a: OnnxAttribute | undefined) => (a ? a.ints.map((x) => int64(x)) : undefined);
    switch (n.opType) {
      case 'Clip':
        if (from < 11) {
          const lo = take(n, 'min'),
            hi = take(n, 'max');
          n.input = [
            n.input[0],
            lo ? consts.add(floatTensor(constName(`${name}_min`), [], [lo.f])) : '',
            hi ? consts.add(floatTensor(constName(`${name}_max`), [], [hi.f])) : '',
          ];
          rewrites++;
        }
        break;
      case 'Slice':
        if (from < 10) {
          const starts = ints(take(n, 'starts'))!,
            ends = ints(take(n, 'ends'))!,
            axes = ints(take(n, 'axes'));
          n.input = [
            n.input[0],
            consts.add(int64Tensor(constName(`${name}_starts`), starts)),
            consts.add(int64Tensor(constName(`${name}_ends`), ends)),
            ...(axes ? [consts.add(int64Tensor(constName(`${name}_axes`), axes))] : []),
          ];
          rewrites++;
        }
        break;
      case 'Squeeze':
      case 'Unsqueeze':
      case 'ReduceSum':
        {
          const axes = ints(take(n, 'axes'));
          if (axes) {
            n.input = [n.input[0], consts.add(int64Tensor(constName(`${name}_axes`), axes))];
            rewrites++;
          }
        }
        break;
      case 'Split':
        {
          const split = ints(take(n, 'split'));
          if (split) {
            n.input = [n.input[0], consts.add(int64Tensor(constName(`${name}_split`), split))];
            rewrites++;
          }
        }
        break;
      case 'Pad':
        if (from < 11) {
          const pads = ints(take(n, 'pads'))!,
            value = take(n, 'value');
          n.input = [
            n.input[0],
            consts.add(int64Tensor(constName(`${name}_pads`), pads)),
            ...(value ? [consts.add(floatTensor(constName(`${name}_value`), [], [value.f]))] : []),
          ];
          rewrites++;
        }
        break;
      case 'Softmax':
      case 'LogSoftmax': {
        // opset < 13 coerces to 2-D at `axis`: Flatten -> Softmax(last) -> Reshape to the input's shape
        const axis = take(n, 'axis');
        const a = axis ? int64(axis.i) : 1;
        const [x] = n.input,
          [y] = n.output;
        const flat = `${y}__flat`,
          soft = `${y}__2d`,
          shape = `${y}__shape`;
        out.push(makeNode('Flatten', [x], [flat], `${name}__flatten`, [attr('axis', a)]));
        out.push(makeNode(n.opType, [flat], [soft], name, [attr('axis', -1)]));
        out.push(makeNode('Shape', [x], [shape], `${name}__shape`));
        out.push(makeNode('Reshape', [soft, shape], [y], `${name}__reshape`));
        rewrites++;
        continue;
      }
      case 'Upsample': {
        const scalesAttr = take(n, 'scales');
        const scales = scalesAttr
          ? consts.add(floatTensor(constName(`${name}_scales`), [scalesAttr.floats.length], scalesAttr.floats))
          : n.input[1];
        const m = take(n, 'mode');
        const mode = (m && new TextDecoder().decode(m.s)) || 'nearest';
        out.push(
          makeNode('Resize', [n.input[0], '', scales], n.output, name, [
            attr('mode', mode === 'bilinear' ? 'linear' : mode),
            attr('coordinate_transformation_mode', 'asymmetric'),
            attr('nearest_mode', 'floor'),
          ]),
        );
        rewrites++;
        continue;
      }
      case 'Resize':
        if (from < 11) {
          n.input = [n.input[0], '', n.input[1]];
          n.attribute.push(attr('coordinate_transformation_mode', 'asymmetric'), attr('nearest_mode', 'floor'));
          rewrites++;
        }
        break;
      case 'Dropout':
        take(n, 'ratio');
        take(n, 'is_test');
        break;
      case 'BatchNormalization':
        take(n, 'spatial');
        take(n, 'is_test');
        take(n, 'consumed_inputs');
        break;
    }
    out.push(n);
  }
  model.graph!.node = out;
  setOpset(model, '', TARGET_OPSET);
  return rewrites;
}
