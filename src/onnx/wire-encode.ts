// The writer for wire.ts's schemas, in two passes: sizes first (cached per sub-message), then every byte into one
// buffer, so length prefixes are known before their payload and nothing is copied twice.
import { type FieldSpec, type ScalarKind, type Schemas, SCALAR_WIRE, TWO_32, WIRE_LEN, isScalar } from './wire.js';

type Msg = Record<string, unknown>;
const utf8Encoder = new TextEncoder();
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** An integer as the unsigned 64-bit pattern its varint carries (clamped to the int64/uint64 range). */
function bits64(n: number, unsigned: boolean): bigint {
  let big = BigInt(Math.trunc(n));
  const [min, max] = unsigned ? [0n, UINT64_MAX] : [INT64_MIN, INT64_MAX];
  big = big > max ? max : big < min ? min : big;
  return BigInt.asUintN(64, big);
}

function varintSize(n: number, unsigned = false): number {
  if (n >= 0 && n < TWO_32) {
    let size = 1;
    for (let v = n >>> 7; v > 0; v >>>= 7) size++;
    return size;
  }
  let size = 1;
  for (let v = bits64(n, unsigned) >> 7n; v > 0n; v >>= 7n) size++;
  return size;
}

const isAscii = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
};

const isDefault = (v: unknown): boolean =>
  v === 0 || v === '' || (v instanceof Uint8Array && v.length === 0) || v === false;

interface Plan {
  sizes: Map<object, number>;
  utf8: Map<string, Uint8Array>;
}

function bytesOf(s: string, plan: Plan): Uint8Array | null {
  if (isAscii(s)) return null;
  let b = plan.utf8.get(s);
  if (!b) plan.utf8.set(s, (b = utf8Encoder.encode(s)));
  return b;
}

function scalarSize(kind: ScalarKind, v: unknown, plan: Plan): number {
  switch (kind) {
    case 'int64':
    case 'uint64':
      return varintSize(Number(v), kind === 'uint64');
    case 'int32':
      return varintSize(Number(v) | 0);
    case 'float':
      return 4;
    case 'double':
      return 8;
    case 'string': {
      const n = bytesOf(String(v), plan)?.length ?? String(v).length;
      return varintSize(n) + n;
    }
    case 'bytes':
      return varintSize((v as Uint8Array).length) + (v as Uint8Array).length;
  }
}

// per schema table: its fields with their numbers, listed once
const fieldLists = new WeakMap<Record<number, FieldSpec>, [number, FieldSpec][]>();
function fieldsOf(schemas: Schemas, type: string): [number, FieldSpec][] {
  const table = schemas[type];
  let list = fieldLists.get(table);
  if (!list) fieldLists.set(table, (list = Object.entries(table).map(([num, f]) => [Number(num), f])));
  return list;
}

/** The fields of `msg` that are written, with their values as a list. */
function present(schemas: Schemas, type: string, msg: Msg): [number, FieldSpec, unknown[]][] {
  const out: [number, FieldSpec, unknown[]][] = [];
  for (const [num, f] of fieldsOf(schemas, type)) {
    const v = msg[f.name];
    if (v === undefined || v === null) continue;
    if (f.repeated ? (v as unknown[]).length === 0 : !f.presence && isDefault(v)) continue;
    out.push([num, f, f.repeated ? (v as unknown[]) : [v]]);
  }
  return out;
}

function messageSize(schemas: Schemas, type: string, msg: Msg, plan: Plan): number {
  let size = 0;
  for (const [num, f, values] of present(schemas, type, msg)) {
    const tag = varintSize(num << 3);
    if (!isScalar(f.kind)) {
      for (const m of values) {
        const n = messageSize(schemas, f.kind, m as Msg, plan);
        plan.sizes.set(m as object, n);
        size += tag + varintSize(n) + n;
      }
    } else if (f.repeated && SCALAR_WIRE[f.kind] !== WIRE_LEN) {
      let n = 0;
      for (const x of values) n += scalarSize(f.kind, x, plan);
      size += tag + varintSize(n) + n;
    } else {
      for (const x of values) size += tag + scalarSize(f.kind, x, plan);
    }
  }
  return size;
}

class Out {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer);
  }
  varint(n: number, unsigned = false): void {
    if (n >= 0 && n < TWO_32) {
      let v = n >>> 0;
      while (v > 0x7f) {
        this.buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.pos++] = v;
      return;
    }
    let v = bits64(n, unsigned);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  scalar(kind: ScalarKind, v: unknown, plan: Plan): void {
    switch (kind) {
      case 'int64':
      case 'uint64':
        return this.varint(Number(v), kind === 'uint64');
      case 'int32':
        return this.varint(Number(v) | 0);
      case 'float':
        this.view.setFloat32(this.pos, Number(v), true);
        this.pos += 4;
        return;
      case 'double':
        this.view.setFloat64(this.pos, Number(v), true);
        this.pos += 8;
        return;
      case 'string': {
        const s = String(v);
        const b = bytesOf(s, plan);
        if (b) return this.bytes(b);
        this.varint(s.length);
        for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
        return;
      }
      case 'bytes':
        return this.bytes(v as Uint8Array);
    }
  }
}

function writeMessage(schemas: Schemas, type: string, msg: Msg, out: Out, plan: Plan): void {
  for (const [num, f, values] of present(schemas, type, msg)) {
    if (!isScalar(f.kind)) {
      for (const m of values) {
        out.varint((num << 3) | WIRE_LEN);
        out.varint(plan.sizes.get(m as object)!);
        writeMessage(schemas, f.kind, m as Msg, out, plan);
      }
    } else if (f.repeated && SCALAR_WIRE[f.kind] !== WIRE_LEN) {
      // packed repeated scalars
      let n = 0;
      for (const x of values) n += scalarSize(f.kind, x, plan);
      out.varint((num << 3) | WIRE_LEN);
      out.varint(n);
      for (const x of values) out.scalar(f.kind, x, plan);
    } else {
      for (const x of values) {
        out.varint((num << 3) | SCALAR_WIRE[f.kind]);
        out.scalar(f.kind, x, plan);
      }
    }
  }
}

/** Encodes a plain object as message `type`: fields not in the schema are left out, absent ones skipped. */
export function encodeMessage(schemas: Schemas, type: string, msg: object): Uint8Array {
  const plan: Plan = { sizes: new Map(), utf8: new Map() };
  const out = new Out(new Uint8Array(messageSize(schemas, type, msg as Msg, plan)));
  writeMessage(schemas, type, msg as Msg, out, plan);
  return out.buf;
}
