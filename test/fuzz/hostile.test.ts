// Hand-written hostile models, one per attack in the brief: each is refused with the right typed error
// and a message naming the node, tensor or field at fault (or, where the model is legal, it imports).
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KestrelError, LimitError, ModelFormatError, ShapeError, UnsupportedOpError } from '../../src/core/errors.js';
import { withLimits } from '../../src/core/limits.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { importModel, resolveInputShapes } from '../../src/onnx/import.js';
import { loadModel } from '../../src/onnx/load.js';
import { Session } from '../../src/runtime/session.js';
import {
  type NodeSpec,
  type TensorSpec,
  graph,
  io,
  modelObject,
  encodeModel,
  node,
  rawTensor,
  tensor,
} from '../onnx-builder.js';
import { modelBytes } from '../models/models.js';
import { checkModel } from './harness.js';

const X = io('x', [1, 2, 4, 4]);
const W = tensor('w', [3, 2, 3, 3], new Array<number>(54).fill(0.1));
const conv = (attrs: Record<string, number | number[]> = {}, w: TensorSpec = W): Uint8Array =>
  graph([node('Conv', ['x', 'w'], ['y'], attrs, 'the_conv')], [X], [io('y', [])], [w]);

function importBytes(bytes: Uint8Array, limits = {}): void {
  const m = decodeModel(bytes, { limits });
  importModel(m, resolveInputShapes(m));
}
/** Asserts a refusal of the given class whose message matches every pattern. */
function refuses(f: () => unknown, cls: new (...a: never[]) => KestrelError, ...patterns: RegExp[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a refusal').toBeInstanceOf(cls);
  for (const p of patterns) expect((err as Error).message).toMatch(p);
}

describe('hostile model files', () => {
  it('truncated, empty, oversized and garbage bytes', () => {
    const cls = modelBytes('cls');
    refuses(() => decodeModel(cls.subarray(0, 1000)), ModelFormatError, /truncated or corrupt/);
    refuses(() => decodeModel(new Uint8Array(0)), ModelFormatError, /empty/);
    refuses(() => decodeModel(cls, { limits: { maxModelBytes: 1024 } }), LimitError, /maxModelBytes \(1024\)/);
    refuses(() => decodeModel(new TextEncoder().encode('<html>not a model</html>')), ModelFormatError);
    refuses(() => decodeModel('model.onnx' as never), KestrelError, /Uint8Array/);
  });

  it('huge, negative and non-integer dims in weights and graph inputs', () => {
    refuses(
      () => importBytes(conv({}, { ...W, dims: [3, 2, -1, 3] })),
      ModelFormatError,
      /'w'/,
      /invalid dimension -1/,
    );
    refuses(
      () => importBytes(conv({}, { ...W, dims: [2 ** 20, 2 ** 20, 3, 3], values: [] })),
      LimitError,
      /'w'/,
      /maxTensorElements/,
    );
    refuses(
      () => importBytes(conv({}, { ...W, dims: [2 ** 62, 1, 1, 1], values: [] })),
      ModelFormatError,
      /'w'/,
      /invalid dimension/,
    );
    refuses(
      () => importBytes(graph([node('Relu', ['x'], ['y'])], [io('x', [1, -5])], [io('y', [])])),
      ModelFormatError,
      /graph input 'x'/,
      /invalid dim -5/,
    );
    refuses(
      () => importBytes(graph([node('Relu', ['x'], ['y'])], [io('x', [65536, 65536, 64])], [io('y', [])])),
      KestrelError,
      /'x'/,
      /maxTensorElements/,
    );
  });

  it('unsupported and bogus data types', () => {
    refuses(() => importBytes(conv({}, { ...W, dtype: 'string' })), ModelFormatError, /'w'/, /STRING is not supported/);
    refuses(() => importBytes(conv({}, { ...W, dtype: 99 })), ModelFormatError, /'w'/, /data type 99/);
    refuses(
      () => importBytes(graph([node('Relu', ['x'], ['y'])], [io('x', [1], 'f64')], [io('y', [])])),
      ModelFormatError,
      /'x'/,
      /DOUBLE/,
    );
  });

  it('raw_data and typed-field lengths that disagree with the dims', () => {
    refuses(
      () => importBytes(conv({}, rawTensor('w', [3, 2, 3, 3], new Float32Array(53)))),
      ModelFormatError,
      /'w'/,
      /raw_data has 212 bytes/,
      /needs 216/,
    );
    refuses(
      () => importBytes(conv({}, rawTensor('w', [3, 2, 3, 3], new Uint8Array(217)))),
      ModelFormatError,
      /'w'/,
      /raw_data/,
    );
    refuses(
      () => importBytes(conv({}, tensor('w', [3, 2, 3, 3], [1, 2, 3]))),
      ModelFormatError,
      /'w'/,
      /float_data has 3 values/,
    );
  });

  it('cycles, dangling inputs, missing initializers and duplicate names', () => {
    const cyc = [node('Relu', ['b'], ['a'], {}, 'n1'), node('Relu', ['a'], ['b'], {}, 'n2')];
    refuses(() => importBytes(graph(cyc, [X], [io('b', [])])), ModelFormatError, /cycle through node 'n[12]'/);
    refuses(
      () => importBytes(graph([node('Add', ['y', 'x'], ['y'], {}, 'self')], [X], [io('y', [])])),
      ModelFormatError,
      /'self'/,
      /cycle/,
    );
    refuses(
      () => importBytes(graph([node('Add', ['x', 'ghost'], ['y'], {}, 'adder')], [X], [io('y', [])])),
      ModelFormatError,
      /'adder'/,
      /'ghost' is not produced/,
    );
    refuses(
      () => importBytes(graph([node('Conv', ['x', 'w'], ['y'], {}, 'c')], [X], [io('y', [])])),
      ModelFormatError,
      /'c'/,
      /'w'/,
    );
    const dup = [node('Relu', ['x'], ['y'], {}, 'r1'), node('Sigmoid', ['x'], ['y'], {}, 'r2')];
    refuses(() => importBytes(graph(dup, [X], [io('y', [])])), ModelFormatError, /'y' is defined twice/);
    refuses(
      () => importBytes(graph([node('Relu', ['x'], ['y'])], [X, X], [io('y', [])])),
      ModelFormatError,
      /duplicate graph input name 'x'/,
    );
    refuses(
      () => importBytes(graph([node('Relu', ['x'], ['x'], {}, 'r')], [X], [io('x', [])])),
      ModelFormatError,
      /'x'/,
    );
    refuses(
      () => importBytes(graph([node('Relu', ['x'], ['y'])], [X], [io('nowhere', [])])),
      ModelFormatError,
      /graph output 'nowhere'/,
    );
    refuses(() => importBytes(graph([node('Relu', ['x'], ['y'])], [X], [])), ModelFormatError, /no outputs/);
  });

  it('absurd convolution attributes name the node', () => {
    refuses(() => importBytes(conv({ strides: [0, 1] })), ShapeError, /'the_conv'/, /strides \[0,1\]/);
    refuses(() => importBytes(conv({ dilations: [-1, 1] })), ShapeError, /'the_conv'/, /dilations/);
    refuses(() => importBytes(conv({ group: 0 })), ShapeError, /'the_conv'/, /group 0/);
    refuses(
      () => importBytes(conv({ group: 3 }, tensor('w', [3, 1, 3, 3], new Array<number>(27).fill(0)))),
      ShapeError,
      /'the_conv'/,
      /group 3 does not divide/,
    );
    refuses(() => importBytes(conv({ pads: [-1, 0, 0, 0] })), ShapeError, /'the_conv'/, /negative pads/);
    refuses(() => importBytes(conv({ pads: [1, 1] })), ShapeError, /'the_conv'/, /pads has 2 entries/);
    refuses(
      () => importBytes(conv({ kernel_shape: [5, 5] })),
      ShapeError,
      /'the_conv'/,
      /kernel_shape \[5,5\] differs/,
    );
    refuses(
      () => importBytes(conv({}, tensor('w', [3, 2, 9, 9], new Array<number>(486).fill(0)))),
      ShapeError,
      /'the_conv'/,
      /larger than the padded input/,
    );
    refuses(() => importBytes(conv({ strides: [2 ** 62, 1] })), KestrelError, /'the_conv'/, /strides/);
    // pads past the input are legal for Conv (the output is bias only) but bounded by maxTensorElements
    const wide = checkModel(conv({ pads: [5, 5, 5, 5] }));
    expect(wide.kind === 'ok' && wide.graph.values.get('y')!.shape).toEqual([1, 3, 12, 12]);
    refuses(
      () => importBytes(conv({ pads: [100000, 100000, 100000, 100000] })),
      LimitError,
      /'the_conv'/,
      /maxTensorElements/,
    );
  });

  it('absurd pooling attributes name the node', () => {
    const pool = (attrs: Record<string, number | number[]>) =>
      graph([node('MaxPool', ['x'], ['y'], attrs, 'the_pool')], [X], [io('y', [])]);
    refuses(() => importBytes(pool({ kernel_shape: [2, 2], strides: [0, 0] })), ShapeError, /'the_pool'/, /stride/);
    refuses(
      () => importBytes(pool({ kernel_shape: [9, 9] })),
      ShapeError,
      /'the_pool'/,
      /larger than the padded input/,
    );
    refuses(() => importBytes(pool({ kernel_shape: [2, 2], pads: [7, 7, 7, 7] })), ShapeError, /'the_pool'/, /pads/);
    refuses(() => importBytes(pool({})), ModelFormatError, /'the_pool'/, /'kernel_shape' is required/);
  });

  it('absurd shape-op attributes and constant inputs name the node', () => {
    const k = (name: string, v: number[]) => tensor(name, [v.length], v, 'i64');
    const g1 = (n: NodeSpec, inits: TensorSpec[]) => graph([n], [X], [io('y', [])], inits);
    refuses(
      () => importBytes(g1(node('Reshape', ['x', 's'], ['y'], {}, 'rs'), [k('s', [-1, -1])])),
      ShapeError,
      /'rs'/,
      /more than one -1/,
    );
    refuses(
      () => importBytes(g1(node('Reshape', ['x', 's'], ['y'], {}, 'rs'), [k('s', [7, 5])])),
      ShapeError,
      /'rs'/,
      /cannot reshape/,
    );
    refuses(
      () => importBytes(g1(node('Reshape', ['x', ''], ['y'], {}, 'rs'), [])),
      ShapeError,
      /'rs'/,
      /missing required input 1 \(shape\)/,
    );
    refuses(
      () => importBytes(g1(node('Transpose', ['x'], ['y'], { perm: [0, 0, 1, 2] }, 'tp'), [])),
      ShapeError,
      /'tp'/,
      /not a permutation/,
    );
    refuses(
      () => importBytes(g1(node('Softmax', ['x'], ['y'], { axis: 9 }, 'sm'), [])),
      ShapeError,
      /'sm'/,
      /axis 9 is out of range/,
    );
    refuses(
      () =>
        importBytes(
          g1(node('Slice', ['x', 'a', 'b', 'c', 'd'], ['y'], {}, 'sl'), [
            k('a', [0]),
            k('b', [1]),
            k('c', [0]),
            k('d', [0]),
          ]),
        ),
      ShapeError,
      /'sl'/,
      /step 0/,
    );
    refuses(
      () => importBytes(g1(node('Gather', ['x', 'i'], ['y'], { axis: 1 }, 'ga'), [k('i', [5])])),
      ShapeError,
      /'ga'/,
      /index 5 is out of range/,
    );
    refuses(
      () => importBytes(g1(node('Expand', ['x', 's'], ['y'], {}, 'ex'), [k('s', [100000, 1000, 2, 4, 4])])),
      LimitError,
      /'ex'/,
      /maxTensorElements/,
    );
    refuses(
      () => importBytes(g1(node('Tile', ['x', 's'], ['y'], {}, 'ti'), [k('s', [10000, 10000, 10000, 1])])),
      LimitError,
      /'ti'/,
      /maxTensorElements/,
    );
    refuses(
      () =>
        importBytes(
          graph([node('ConstantOfShape', ['s'], ['y'], {}, 'cos')], [], [io('y', [])], [k('s', [2 ** 30, 2 ** 30])]),
        ),
      ShapeError,
      /'cos'/,
      /maxTensorElements/,
    );
    refuses(
      () =>
        importBytes(
          graph(
            [node('Range', ['a', 'b', 'c'], ['y'], {}, 'rg')],
            [],
            [io('y', [])],
            [k('a', [0]), k('b', [2 ** 40]), k('c', [1])],
          ),
        ),
      ShapeError,
      /'rg'/,
      /maxTensorElements/,
    );
    refuses(
      () =>
        importBytes(
          graph(
            [node('Range', ['a', 'b', 'c'], ['y'], {}, 'rg')],
            [],
            [io('y', [])],
            [k('a', [0]), k('b', [5]), k('c', [0])],
          ),
        ),
      ShapeError,
      /'rg'/,
      /delta is 0/,
    );
  });

  it('opsets out of range and unknown ops or domains', () => {
    const relu = [node('Relu', ['x'], ['y'], {}, 'r')];
    refuses(() => decodeModel(graph(relu, [X], [io('y', [])], [], 1)), ModelFormatError, /opset 1 is not supported/);
    refuses(
      () => decodeModel(graph(relu, [X], [io('y', [])], [], 999)),
      ModelFormatError,
      /opset 999 is not supported/,
    );
    const noOpset = modelObject(relu, [X], [io('y', [])]);
    noOpset.opsetImport = [];
    refuses(() => decodeModel(encodeModel(noOpset)), ModelFormatError, /opset/);
    refuses(
      () => importBytes(graph([node('Loop', ['x'], ['y'], {}, 'lp')], [X], [io('y', [])])),
      UnsupportedOpError,
      /'lp'/,
      /Loop/,
    );
    const custom = graph(
      [{ op: 'FusedConv', inputs: ['x'], outputs: ['y'], name: 'fc', domain: 'com.microsoft' }],
      [X],
      [io('y', [])],
    );
    refuses(() => importBytes(custom), UnsupportedOpError, /'fc'/, /com\.microsoft\.FusedConv/);
  });

  it('graph and node limits', () => {
    const many = Array.from({ length: 50 }, (_, i) => node('Relu', [i ? `v${i - 1}` : 'x'], [`v${i}`]));
    refuses(
      () => decodeModel(graph(many, [X], [io('v49', [])]), { limits: { maxNodes: 10 } }),
      LimitError,
      /50 nodes, over maxNodes \(10\)/,
    );
    expect(() => importBytes(graph(many, [X], [io('v49', [])]))).not.toThrow();
  });

  it('names with WGSL / HTML metacharacters are plain names: the model imports and runs', async () => {
    const evil = '</script><img onerror=alert(1)>"; fn main() {} @group(0)';
    const bytes = graph(
      [node('Relu', ['x'], [evil], {}, '${evil}'), node('Sigmoid', [evil], ['out<>&'])],
      [X],
      [io('out<>&', [])],
    );
    const o = checkModel(bytes);
    expect(o.kind).toBe('ok');
    const s = await Session.create(bytes);
    try {
      const out = await s.run({ x: { dtype: 'f32', shape: [1, 2, 4, 4], data: new Float32Array(32).fill(-1) } });
      expect(Object.keys(out)).toEqual(['out<>&']);
      expect((out['out<>&'].data as Float32Array)[0]).toBeCloseTo(0.5, 6);
    } finally {
      s.release();
    }
  });

  it('Session.create rejects (does not throw synchronously or hang) on a hostile model', async () => {
    const p = Session.create(conv({ strides: [0, 0] }));
    await expect(p).rejects.toBeInstanceOf(ShapeError);
    await expect(Session.create(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(ModelFormatError);
  });
});

describe('external data stays inside the model folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-ext-'));
  const outside = mkdtempSync(join(tmpdir(), 'kestrel-outside-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  const weights = new Float32Array(54).map((_, i) => i / 10);
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(weights.buffer));
  writeFileSync(join(outside, 'secret.bin'), new Uint8Array(216).fill(0x41));

  const withExternal = (location: string, offset?: number, length?: number): string => {
    const path = join(dir, `m${Math.random().toString(36).slice(2)}.onnx`);
    writeFileSync(
      path,
      conv({}, { name: 'w', dims: [3, 2, 3, 3], dtype: 'f32', external: { location, offset, length } }),
    );
    return path;
  };
  const load = async (path: string) => {
    const m = await loadModel(path);
    return importModel(m, resolveInputShapes(m));
  };

  it('a relative file in the folder loads, with the right values', async () => {
    const g = await load(withExternal('weights.bin'));
    const w = [...g.values.values()].find((v) => v.data && v.shape.join() === '3,2,3,3');
    expect(Array.from(w!.data!.data as Float32Array)).toEqual(Array.from(weights));
  });

  it('../ escapes, absolute paths, NUL bytes and symlinks out of the folder are refused', async () => {
    await expect(load(withExternal('../../etc/passwd'))).rejects.toThrow(/'w'.*escapes the model's folder/);
    await expect(load(withExternal(`../${outside.split('/').pop()}/secret.bin`))).rejects.toThrow(
      /escapes the model's folder/,
    );
    await expect(load(withExternal('/etc/passwd'))).rejects.toThrow(/must be relative/);
    await expect(load(withExternal(join(outside, 'secret.bin')))).rejects.toThrow(/must be relative/);
    await expect(load(withExternal('weights.bin\u0000.txt'))).rejects.toBeInstanceOf(ModelFormatError);
    symlinkSync(join(outside, 'secret.bin'), join(dir, 'link.bin'));
    await expect(load(withExternal('link.bin'))).rejects.toThrow(/escapes the model's folder/);
  });

  it('missing files, bad ranges and models from bytes are refused', async () => {
    await expect(load(withExternal('nope.bin'))).rejects.toThrow(/'nope.bin' not found/);
    await expect(load(withExternal('weights.bin', 200, 216))).rejects.toThrow(/exceeds file 'weights.bin'/);
    await expect(load(withExternal('weights.bin', -4))).rejects.toThrow(/invalid external data offset/);
    await expect(load(withExternal('weights.bin', 0, 8))).rejects.toThrow(/raw_data has 8 bytes/);
    const bytes = conv({}, { name: 'w', dims: [3, 2, 3, 3], dtype: 'f32', external: { location: 'weights.bin' } });
    refuses(() => importBytes(bytes), ModelFormatError, /'w'/, /needs the model's folder/);
  });

  it('maxExternalBytes bounds what external data may pull in', async () => {
    const m = await loadModel(withExternal('weights.bin'), { limits: withLimits({ maxExternalBytes: 100 }) });
    expect(() => importModel(m, resolveInputShapes(m))).toThrow(LimitError);
  });
});
