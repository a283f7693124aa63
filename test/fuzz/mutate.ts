// Mutators for ONNX models: byte-level (truncate, flip, splice) and structure-aware (dims, dtypes,
// raw_data, graph wiring, attributes, names, opsets, external data). Each returns what it did.
import {
  type OnnxGraph,
  type OnnxModel,
  type OnnxTensor,
  decodeModelProto,
  encodeModelProto,
} from '../../src/onnx/proto.js';

export type Rng = () => number;
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

// ---- byte level --------------------------------------------------------------------------------

/** Structure (nodes, value infos) sits before and after the bulk weights: bias flips there. */
function offset(r: Rng, n: number): number {
  const u = r();
  if (u < 0.4) return Math.floor(r() * n);
  if (u < 0.8) return Math.floor(r() * Math.min(n, 65536));
  return Math.max(0, n - 1 - Math.floor(r() * Math.min(n, 8192)));
}

export function mutateBytes(bytes: Uint8Array, r: Rng): { bytes: Uint8Array; what: string } {
  const kind = int(r, 0, 4);
  const n = bytes.length;
  if (kind === 0) {
    const at = r() < 0.5 ? Math.floor(r() * n) : Math.floor(r() * Math.min(n, 4096));
    return { bytes: bytes.slice(0, at), what: `truncate to ${at} bytes` };
  }
  const out = bytes.slice();
  if (kind === 1) {
    const k = int(r, 1, 16);
    const at: number[] = [];
    for (let i = 0; i < k; i++) {
      const o = offset(r, n);
      at.push(o);
      out[o] ^= 1 << int(r, 0, 7);
    }
    return { bytes: out, what: `flip ${k} bits at ${at.join(',')}` };
  }
  if (kind === 2) {
    const k = int(r, 1, 8);
    const at: number[] = [];
    for (let i = 0; i < k; i++) {
      const o = offset(r, n);
      at.push(o);
      out[o] = pick(r, [0x00, 0xff, 0x7f, 0x80, 0x08, 0x0a, 0x12, int(r, 0, 255)]);
    }
    return { bytes: out, what: `set ${k} bytes at ${at.join(',')}` };
  }
  if (kind === 3) {
    const at = offset(r, n);
    const len = int(r, 1, 64);
    const junk = Uint8Array.from({ length: len }, () => int(r, 0, 255));
    const res = new Uint8Array(n + len);
    res.set(bytes.subarray(0, at));
    res.set(junk, at);
    res.set(bytes.subarray(at), at + len);
    return { bytes: res, what: `insert ${len} random bytes at ${at}` };
  }
  const at = offset(r, n);
  const len = int(r, 1, 256);
  const tail = bytes.subarray(Math.min(n, at + len));
  const res = new Uint8Array(at + tail.length);
  res.set(bytes.subarray(0, at));
  res.set(tail, at);
  return { bytes: res, what: `delete ${len} bytes at ${at}` };
}

// ---- structure level ---------------------------------------------------------------------------

const HUGE = [2 ** 31, 2 ** 32 + 1, 2 ** 40, 2 ** 53 - 1, 2 ** 62, 1e6, 65536 * 65536];
const NEGATIVE = [-1, -2, -(2 ** 31), -(2 ** 40)];
const BAD_DTYPES = [0, 4, 5, 8, 11, 13, 14, 16, 17, 21, 23, 99, -1, 7, 10, 22, 9, 2];
const ABSURD_INTS = [0, -1, -7, 2 ** 31, 2 ** 40, 2 ** 62, -(2 ** 62), 1000, 100000, 3];
const ABSURD_FLOATS = [NaN, Infinity, -Infinity, 0, -1, 1e38, 1e-45];
export const EVIL_NAMES = [
  '</script><img src=x onerror=alert(1)>',
  '"; fn main() { loop {} } //',
  '@group(0) @binding(9) var<storage> x: array<f32>;',
  '}; override EVIL = 1; {',
  '../../etc/passwd',
  '\u0000nul',
  'a\nb\r\nc',
  '${process.exit(1)}',
  '%s%n%x',
  '\u202eevil',
  'ṁ∞𝄞',
  ' ',
  '#copy:1',
  '::0',
  '__proto__',
  'constructor',
  'x'.repeat(5000),
];
const OPS = [
  'Conv',
  'Relu',
  'Add',
  'MaxPool',
  'Reshape',
  'Softmax',
  'Gemm',
  'Concat',
  'Slice',
  'Resize',
  'Loop',
  'If',
  'Scan',
  'NonMaxSuppression',
  'Bogus',
  '',
  'conv',
  'Constant',
  'Identity',
  'Transpose',
  'Gather',
  'Pad',
  'Expand',
  'Split',
  'TopK',
];

export function decodeProto(bytes: Uint8Array): OnnxModel {
  return decodeModelProto(bytes);
}
export function encodeProto(m: OnnxModel): Uint8Array {
  return encodeModelProto(m);
}

/** Every TensorProto that carries weights: initializers and Constant nodes' value attributes. */
export function weightTensors(g: OnnxGraph): OnnxTensor[] {
  const out = [...g.initializer];
  for (const n of g.node) for (const a of n.attribute) if (a.t) out.push(a.t);
  return out;
}

type Mutator = (m: OnnxModel, g: OnnxGraph, r: Rng) => string | null;

const tensorMutators: Mutator[] = [
  (_m, g, r) => {
    const t = pick(r, weightTensors(g));
    if (!t) return null;
    const v = pick(r, [...HUGE, ...NEGATIVE, 0]);
    const i = int(r, 0, Math.max(0, t.dims.length - 1));
    t.dims = [...t.dims];
    t.dims[i] = v;
    return `tensor '${t.name}' dim ${i} = ${v}`;
  },
  (_m, g, r) => {
    const t = pick(r, weightTensors(g));
    if (!t) return null;
    if (r() < 0.5) {
      t.dims = [...t.dims, int(r, 1, 3)];
      return `tensor '${t.name}' gains a dim`;
    }
    t.dims = t.dims.slice(1);
    return `tensor '${t.name}' loses a dim`;
  },
  (_m, g, r) => {
    const t = pick(r, weightTensors(g));
    if (!t) return null;
    t.dataType = pick(r, BAD_DTYPES);
    return `tensor '${t.name}' data_type = ${t.dataType}`;
  },
  (_m, g, r) => {
    const t = pick(
      r,
      weightTensors(g).filter((x) => x.rawData?.length),
    );
    if (!t) return null;
    const cut = int(r, -9, 9) || 1;
    t.rawData =
      cut < 0
        ? t.rawData.slice(0, Math.max(0, t.rawData.length + cut))
        : Uint8Array.from([...t.rawData, ...new Array<number>(cut).fill(7)]);
    return `tensor '${t.name}' raw_data length ${cut > 0 ? '+' : ''}${cut}`;
  },
  (_m, g, r) => {
    const t = pick(r, weightTensors(g));
    if (!t) return null;
    t.rawData = new Uint8Array(0);
    const n = int(r, 0, 5);
    if (r() < 0.5) t.floatData = Array.from({ length: n }, () => pick(r, ABSURD_FLOATS));
    else t.int64Data = Array.from({ length: n }, () => pick(r, ABSURD_INTS));
    return `tensor '${t.name}' typed data with ${n} values`;
  },
  (_m, g, r) => {
    const t = pick(
      r,
      weightTensors(g).filter((x) => x.rawData?.length >= 4 && x.dataType === 1),
    );
    if (!t) return null;
    const f = new Float32Array(t.rawData.slice().buffer);
    for (let i = 0; i < f.length; i += int(r, 1, 5)) f[i] = pick(r, ABSURD_FLOATS);
    t.rawData = new Uint8Array(f.buffer);
    return `tensor '${t.name}' values NaN/Inf/extreme`;
  },
  (_m, g, r) => {
    const t = pick(r, weightTensors(g));
    if (!t) return null;
    const location = pick(r, [
      '../../etc/passwd',
      '/etc/passwd',
      'C:\\Windows\\win.ini',
      'weights.bin',
      '',
      'a\u0000b',
      '..',
      'sub/../../x',
    ]);
    t.dataLocation = 1;
    t.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(pick(r, [0, -1, 2 ** 60, 12])) },
      { key: 'length', value: String(pick(r, [4, -4, 2 ** 60, NaN])) },
    ];
    return `tensor '${t.name}' external data '${location}'`;
  },
];

const graphMutators: Mutator[] = [
  (_m, g, r) => {
    // a cycle: an early node reads a later node's output
    if (g.node.length < 2) return null;
    const i = int(r, 0, g.node.length - 2),
      j = int(r, i + 1, g.node.length - 1);
    const out = g.node[j].output[0];
    if (!out || !g.node[i].input.length) return null;
    g.node[i].input = [...g.node[i].input];
    g.node[i].input[0] = out;
    return `cycle: node ${i} reads node ${j}'s '${out}'`;
  },
  (_m, g, r) => {
    const n = pick(
      r,
      g.node.filter((x) => x.input.length),
    );
    if (!n) return null;
    n.input = [...n.input];
    n.input[int(r, 0, n.input.length - 1)] = pick(r, ['dangling', '', 'x#copy:0', 'nope::1']);
    return `dangling input on '${n.name}'`;
  },
  (_m, g, r) => {
    if (g.initializer.length && r() < 0.5) {
      const k = int(r, 0, g.initializer.length - 1);
      const [t] = g.initializer.splice(k, 1);
      return `drop initializer '${t.name}'`;
    }
    const ks = g.node.map((n, i) => (n.opType === 'Constant' ? i : -1)).filter((i) => i >= 0);
    if (!ks.length) return null;
    const k = pick(r, ks);
    const [n] = g.node.splice(k, 1);
    return `drop Constant node '${n.output[0]}'`;
  },
  (_m, g, r) => {
    const a = pick(r, g.node),
      b = pick(r, g.node);
    if (!a || !b || a === b || !b.output[0]) return null;
    a.output = [...a.output];
    a.output[0] = b.output[0];
    return `duplicate output name '${b.output[0]}'`;
  },
  (_m, g, r) => {
    if (r() < 0.5 && g.input.length) {
      g.input.push(g.input[0]);
      return 'duplicate graph input';
    }
    const t = pick(r, weightTensors(g));
    if (!t || !g.input.length) return null;
    t.name = g.input[0].name;
    return `weight renamed to the graph input '${t.name}'`;
  },
  (_m, g, r) => {
    const k = int(r, 0, g.node.length - 1);
    if (!g.node.length) return null;
    const [n] = g.node.splice(k, 1);
    return `delete node '${n.name || n.opType}'`;
  },
  (_m, g, r) => {
    const n = pick(r, g.node);
    if (!n) return null;
    if (r() < 0.5) {
      n.input = n.input.slice(0, int(r, 0, Math.max(0, n.input.length - 1)));
      return `node '${n.name}' drops inputs`;
    }
    n.input = [...n.input, ...n.input];
    return `node '${n.name}' doubles inputs`;
  },
  (_m, g, r) => {
    const n = pick(r, g.node);
    if (!n) return null;
    if (r() < 0.2) {
      n.domain = pick(r, ['com.microsoft', 'ai.onnx.ml', 'evil']);
      return `node '${n.name}' domain ${n.domain}`;
    }
    const old = n.opType;
    n.opType = pick(r, OPS);
    return `node '${n.name}' op ${old} -> ${n.opType}`;
  },
  (_m, g, r) => {
    // graph io: element type, dims, kind
    const v = pick(r, [...g.input, ...g.output]);
    if (!v) return null;
    const u = r();
    if (u < 0.3) {
      v.type = { sequenceType: {} };
      return `io '${v.name}' becomes a sequence`;
    }
    const tt = v.type?.tensorType;
    if (!tt) return null;
    if (u < 0.6) {
      tt.elemType = pick(r, BAD_DTYPES);
      return `io '${v.name}' elem_type ${tt.elemType}`;
    }
    const dims = tt.shape?.dim ?? [];
    if (!dims.length) return null;
    const d = pick(r, dims);
    d.dimValue = pick(r, [...HUGE, ...NEGATIVE, 0]);
    d.dimParam = '';
    return `io '${v.name}' dim = ${String(d.dimValue)}`;
  },
  (_m, g, r) => {
    if (r() < 0.5) {
      g.output = [];
      return 'no graph outputs';
    }
    g.output.push({ name: pick(r, ['ghost', g.input[0]?.name ?? 'x', '']), type: g.output[0]?.type });
    return 'extra graph output';
  },
];

const attrMutators: Mutator[] = [
  (_m, g, r) => {
    const n = pick(
      r,
      g.node.filter((x) => x.attribute.some((a) => a.ints?.length || a.type === 2)),
    );
    if (!n) return null;
    const a = pick(
      r,
      n.attribute.filter((x) => x.ints?.length || x.type === 2),
    );
    const v = pick(r, ABSURD_INTS);
    if (a.ints?.length) {
      a.ints = [...a.ints];
      a.ints[int(r, 0, a.ints.length - 1)] = v;
    } else a.i = v;
    return `node '${n.name}' (${n.opType}) attr ${a.name} gets ${v}`;
  },
  (_m, g, r) => {
    const n = pick(
      r,
      g.node.filter((x) => x.opType === 'Conv' || x.opType.endsWith('Pool')),
    );
    if (!n) return null;
    const which = pick(r, ['strides0', 'group', 'pads', 'kernel', 'dilations', 'auto_pad', 'ceil']);
    const set = (name: string, fields: Record<string, unknown>) => {
      n.attribute = n.attribute.filter((a) => a.name !== name);
      n.attribute.push({ name, ...fields } as never);
    };
    if (which === 'strides0') set('strides', { type: 7, ints: [0, 1] });
    else if (which === 'group') set('group', { type: 2, i: pick(r, [3, 5, 7, 1000, 0, -1]) });
    else if (which === 'pads')
      set('pads', {
        type: 7,
        ints: pick(r, [
          [1000, 1000, 1000, 1000],
          [-5, 0, 0, 0],
          [1, 1],
          [2 ** 40, 0, 0, 0],
        ]),
      });
    else if (which === 'kernel')
      set('kernel_shape', { type: 7, ints: pick(r, [[999, 999], [1], [0, 0], [2 ** 31, 1]]) });
    else if (which === 'dilations')
      set('dilations', {
        type: 7,
        ints: pick(r, [
          [0, 1],
          [1000, 1000],
          [-1, -1],
        ]),
      });
    else if (which === 'auto_pad')
      set('auto_pad', { type: 3, s: new TextEncoder().encode(pick(r, ['SAME_UPPER', 'VALID', 'EVIL', ''])) });
    else set('ceil_mode', { type: 2, i: 1 });
    return `node '${n.name}' (${n.opType}) absurd ${which}`;
  },
  (_m, g, r) => {
    const n = pick(
      r,
      g.node.filter((x) => x.attribute.length),
    );
    if (!n) return null;
    const a = pick(r, n.attribute);
    const u = r();
    if (u < 0.3) {
      n.attribute = n.attribute.filter((x) => x !== a);
      return `node '${n.name}' loses attr ${a.name}`;
    }
    if (u < 0.6) {
      a.f = pick(r, ABSURD_FLOATS);
      a.floats = a.floats?.length ? a.floats.map(() => pick(r, ABSURD_FLOATS)) : a.floats;
      return `node '${n.name}' attr ${a.name} float ${a.f}`;
    }
    a.type = pick(r, [0, 5, 8, 99]);
    a.t = undefined;
    a.s = new Uint8Array([0xff, 0xfe]);
    a.ints = [];
    a.i = 0;
    return `node '${n.name}' attr ${a.name} wrong type`;
  },
];

const modelMutators: Mutator[] = [
  (m, _g, r) => {
    const v = pick(r, [1, 999, 0, -1, 6, 23, 2 ** 40]);
    m.opsetImport = r() < 0.2 ? [] : [{ domain: pick(r, ['', 'ai.onnx', 'com.microsoft']), version: v }];
    return `opset ${JSON.stringify(m.opsetImport)}`;
  },
  (_m, g, r) => {
    // names with WGSL/HTML metacharacters, consistently renamed (the model stays valid)
    const names = new Map<string, string>();
    const evil = () => `${pick(r, EVIL_NAMES)}${names.size}`;
    for (const n of g.node) {
      if (r() < 0.5) n.name = evil();
      n.output = n.output.map((o) => {
        if (!o || r() < 0.5) return o;
        const e = evil();
        names.set(o, e);
        return e;
      });
    }
    const rn = (s: string) => names.get(s) ?? s;
    for (const n of g.node) n.input = n.input.map(rn);
    for (const v of g.output) v.name = rn(v.name);
    return `renamed ${names.size} values to hostile names`;
  },
];

export const STRUCTURE_MUTATORS = {
  tensor: tensorMutators,
  graph: graphMutators,
  attr: attrMutators,
  model: modelMutators,
};

/** Applies 1..3 structure mutations; the descriptions say exactly what changed. */
export function mutateStructure(bytes: Uint8Array, r: Rng): { bytes: Uint8Array; what: string } {
  const m = decodeProto(bytes);
  const g = m.graph!;
  const done: string[] = [];
  const families = Object.values(STRUCTURE_MUTATORS);
  const count = int(r, 1, 3);
  for (let tries = 0; done.length < count && tries < 20; tries++) {
    const what = pick(r, pick(r, families))(m, g, r);
    if (what) done.push(what);
  }
  return { bytes: encodeProto(m), what: done.join('; ') };
}
