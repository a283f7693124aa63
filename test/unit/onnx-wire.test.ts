// The hand-written ONNX protobuf codec (src/onnx/wire.ts, proto.ts) against protobufjs as the reference:
// models built by one are read by the other, field for field, and hostile bytes get a typed error.
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/core/errors.js';
import { decodeModelProto, decodeTensorProto, encodeModelProto, encodeTensorProto } from '../../src/onnx/proto.js';
import { modelBytes } from '../models/models.js';
import { FloatAttr, encodeModel, io, modelObject, node, rawTensor, tensor } from '../onnx-builder.js';
import { ModelProtoType, TensorProtoType } from '../onnx-protobufjs.js';

const TO_OBJECT = { longs: Number, bytes: String, defaults: true, arrays: true } as const;
/** protobufjs's plain-object view of the fields these tests compare (bytes as base64, per TO_OBJECT). */
interface RefModel {
  graph: {
    node: { attribute: { ints: unknown }[] }[];
    initializer: { rawData: string; floatData: number[] }[];
  };
}
const viaProtobufjs = (bytes: Uint8Array) =>
  ModelProtoType.toObject(ModelProtoType.decode(bytes), TO_OBJECT) as RefModel;

function sampleModel(): Record<string, unknown> {
  const m = modelObject(
    [
      node('Conv', ['x', 'w'], ['y'], { strides: [2, 2], pads: [-1, 0, 3, 2 ** 40], group: 1 }),
      node('LeakyRelu', ['y'], ['z'], { alpha: new FloatAttr(0.25), note: 'ünïcode ✓' }),
      node('Mul', ['z', 's'], ['out'], { scales: new FloatAttr([1.5, -2, 3.25]) }),
    ],
    [io('x', ['N', 3, 8, 8])],
    [io('out', ['N', 4, 4, 4])],
    [
      rawTensor(
        'w',
        [4, 3, 1, 1],
        Float32Array.from({ length: 12 }, (_, i) => i / 7 - 1),
      ),
      tensor('s', [1], [-7], 'i64'),
      tensor('f', [3], [0.1, -0.2, 3e30]),
      tensor('d', [2], [Math.PI, -1e-300], 'f64'),
      tensor('i', [3], [-1, 2 ** 31 - 1, -(2 ** 31)], 'i32'),
    ],
  );
  // a dim with neither value nor param (unknown), and int64s past 2^32 and 2^53
  const g = m.graph as { input: { type: { tensorType: { shape: { dim: object[] } } } }[]; initializer: object[] };
  g.input[0].type.tensorType.shape.dim.push({});
  g.initializer.push({ name: 'big', dataType: 7, dims: [2], int64Data: ['9223372036854775807', '-4294967297'] });
  m.metadataProps = [{ key: 'k', value: 'v' }];
  return m;
}

describe('ONNX wire codec vs protobufjs', () => {
  it('decodes a protobufjs-encoded model field for field', () => {
    const bytes = encodeModel(sampleModel());
    const m = decodeModelProto(bytes);
    const ref = viaProtobufjs(bytes);
    const g = m.graph!;
    expect(m.irVersion).toBe(8);
    expect(m.opsetImport).toEqual([{ domain: '', version: 17 }]);
    expect(m.metadataProps).toEqual([{ key: 'k', value: 'v' }]);
    expect(g.node.map((n) => n.opType)).toEqual(['Conv', 'LeakyRelu', 'Mul']);
    expect(g.node[0].attribute.find((a) => a.name === 'pads')!.ints).toEqual(ref.graph.node[0].attribute[1].ints);
    expect(g.node[0].attribute.find((a) => a.name === 'pads')!.ints).toEqual([-1, 0, 3, 2 ** 40]);
    expect(g.node[1].attribute[0].f).toBe(0.25);
    expect(new TextDecoder().decode(g.node[1].attribute[1].s)).toBe('ünïcode ✓');
    expect(g.node[2].attribute[0].floats).toEqual([1.5, -2, 3.25]);
    const w = g.initializer[0];
    expect(Buffer.from(w.rawData).toString('base64')).toBe(ref.graph.initializer[0].rawData);
    expect(w.dims).toEqual([4, 3, 1, 1]);
    expect(g.initializer[1].int64Data).toEqual([-7]);
    expect(g.initializer[2].floatData).toEqual(ref.graph.initializer[2].floatData);
    expect(g.initializer[3].doubleData).toEqual([Math.PI, -1e-300]);
    expect(g.initializer[4].int32Data).toEqual([-1, 2 ** 31 - 1, -(2 ** 31)]);
    expect(g.initializer[5].int64Data).toEqual([2 ** 63, -4294967297]);
    const dims = g.input[0].type!.tensorType!.shape!.dim;
    expect(dims.map((d) => [d.dimParam, d.dimValue])).toEqual([
      ['N', undefined],
      [undefined, 3],
      [undefined, 8],
      [undefined, 8],
      [undefined, undefined],
    ]);
  });

  it('encodes what protobufjs decodes to the same model (sample and the PP-OCR det model)', () => {
    for (const bytes of [encodeModel(sampleModel()), modelBytes('det')]) {
      const mine = encodeModelProto(decodeModelProto(bytes));
      expect(viaProtobufjs(mine)).toEqual(viaProtobufjs(bytes));
    }
  });

  it('round-trips a TensorProto', () => {
    const t = { name: 't', dims: [2, 2], dataType: 1, floatData: [1, -2, 0.5, 1e-7] };
    const ref = TensorProtoType.toObject(TensorProtoType.decode(encodeTensorProto(t as never)), TO_OBJECT);
    expect(ref).toMatchObject({
      name: 't',
      dims: [2, 2],
      dataType: 1,
      floatData: Array.from(Float32Array.from(t.floatData)),
    });
    const back = decodeTensorProto(TensorProtoType.encode(TensorProtoType.fromObject(t)).finish());
    expect(back.floatData).toEqual(Array.from(Float32Array.from(t.floatData)));
  });

  it('refuses truncated and garbage bytes with ModelFormatError, never another error', () => {
    const bytes = encodeModel(sampleModel());
    let refused = 0;
    for (let cut = 1; cut < bytes.length; cut++) {
      try {
        decodeModelProto(bytes.subarray(0, cut));
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFormatError);
        refused++;
      }
    }
    // most cuts land inside a length-delimited field
    expect(refused).toBeGreaterThan(bytes.length / 2);
    const garbage = [
      [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], // graph of 4 GiB
      [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // 11-byte varint
      [0x0b, 0x00], // group wire type
      [0x3a, 0x03, 0x0a, 0x05, 0x00], // graph with a node longer than the graph
    ];
    for (const g of garbage) expect(() => decodeModelProto(Uint8Array.from(g))).toThrow(ModelFormatError);
  });

  it('bounds nesting depth (graphs inside attributes inside graphs)', () => {
    // GraphProto.node(1) -> NodeProto.attribute(5) -> AttributeProto.g(6) -> GraphProto ..., 200 levels deep
    let inner = new Uint8Array(0);
    for (let i = 0; i < 200; i++) {
      const wrap = (field: number, body: Uint8Array) => {
        const len: number[] = [];
        for (let n = body.length; ; n >>>= 7) {
          if (n < 0x80) {
            len.push(n);
            break;
          }
          len.push((n & 0x7f) | 0x80);
        }
        return Uint8Array.from([(field << 3) | 2, ...len, ...body]);
      };
      inner = wrap(1, wrap(5, wrap(6, inner)));
    }
    const model = Uint8Array.from([0x3a, ...[(inner.length & 0x7f) | 0x80, inner.length >> 7], ...inner]);
    expect(() => decodeModelProto(model)).toThrow(/nested deeper than 64/);
  });
});
