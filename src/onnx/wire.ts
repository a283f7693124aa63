// Protocol Buffers wire format, table-driven: a message schema maps field numbers to names and kinds, and
// one generic reader walks it (the writer is wire-encode.ts). No generated code, no eval (runs under a no-eval CSP).
import { ModelFormatError } from '../core/errors.js';

export type ScalarKind = 'int64' | 'uint64' | 'int32' | 'float' | 'double' | 'string' | 'bytes';
/** A field: its JS name, a ScalarKind or the name of a message schema, and whether it repeats. */
export interface FieldSpec {
  name: string;
  kind: string;
  repeated?: boolean;
  /** No default when absent (a oneof member whose presence matters). */
  presence?: boolean;
}
export type Schemas = Record<string, Record<number, FieldSpec>>;

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;
export const TWO_32 = 4294967296;
// hostile models nest graphs inside attributes; bound the recursion instead of overflowing the stack
const MAX_DEPTH = 64;
export const SCALAR_WIRE: Record<ScalarKind, number> = {
  int64: WIRE_VARINT,
  uint64: WIRE_VARINT,
  int32: WIRE_VARINT,
  float: WIRE_I32,
  double: WIRE_I64,
  string: WIRE_LEN,
  bytes: WIRE_LEN,
};
const utf8Decoder = new TextDecoder();

/** Names are short ASCII: build those directly (TextDecoder's per-call cost dominates for them). */
function decodeUtf8(b: Uint8Array): string {
  if (b.length > 32) return utf8Decoder.decode(b);
  let out = '';
  for (let i = 0; i < b.length; i++) {
    if (b[i] >= 0x80) return utf8Decoder.decode(b);
    out += String.fromCharCode(b[i]);
  }
  return out;
}

export const isScalar = (kind: string): kind is ScalarKind => kind in SCALAR_WIRE;

function defaultOf(kind: string): unknown {
  if (kind === 'string') return '';
  if (kind === 'bytes') return new Uint8Array(0);
  return isScalar(kind) ? 0 : undefined;
}

class Reader {
  pos: number;
  private readonly view: DataView;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    /** End of the message being read; narrowed and restored around each sub-message. */
    public end: number,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(what: string): never {
    throw new ModelFormatError(`${what} at byte ${this.pos}`);
  }

  /** A varint as [low 32 bits, high 32 bits], both unsigned. */
  varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('varint runs past the end of its message');
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    return this.fail('varint longer than 10 bytes');
  }

  uint32(): number {
    // fast path: tags and lengths are almost always 1-2 bytes
    const b = this.buf[this.pos];
    if (b < 0x80 && this.pos < this.end) {
      this.pos++;
      return b;
    }
    const [lo, hi] = this.varint64();
    if (hi !== 0) this.fail('length or tag over 32 bits');
    return lo;
  }

  skip(n: number): void {
    if (n > this.end - this.pos) this.fail(`field of ${n} bytes runs past the end of its message`);
    this.pos += n;
  }

  scalar(kind: ScalarKind): unknown {
    switch (kind) {
      case 'int64': {
        if (this.buf[this.pos] < 0x80 && this.pos < this.end) return this.buf[this.pos++];
        const [lo, hi] = this.varint64();
        return (hi | 0) * TWO_32 + lo;
      }
      case 'uint64': {
        const [lo, hi] = this.varint64();
        return hi * TWO_32 + lo;
      }
      case 'int32':
        return this.varint64()[0] | 0;
      case 'float': {
        const at = this.pos;
        this.skip(4);
        return this.view.getFloat32(at, true);
      }
      case 'double': {
        const at = this.pos;
        this.skip(8);
        return this.view.getFloat64(at, true);
      }
      case 'bytes':
      case 'string': {
        const n = this.uint32();
        const at = this.pos;
        this.skip(n);
        // a view, not a copy: weights in raw_data stay where the model's bytes are
        const b = this.buf.subarray(at, at + n);
        return kind === 'bytes' ? b : decodeUtf8(b);
      }
    }
  }

  skipField(wire: number): void {
    if (wire === WIRE_VARINT) this.varint64();
    else if (wire === WIRE_I64) this.skip(8);
    else if (wire === WIRE_I32) this.skip(4);
    else if (wire === WIRE_LEN) this.skip(this.uint32());
    else this.fail(`unsupported wire type ${wire}`);
  }
}

// per schema table: the fields that get a value when absent, listed once instead of per message
const defaultsCache = new WeakMap<Record<number, FieldSpec>, FieldSpec[]>();
function withDefaults(fields: Record<number, FieldSpec>): FieldSpec[] {
  let list = defaultsCache.get(fields);
  if (!list) defaultsCache.set(fields, (list = Object.values(fields).filter((f) => f.repeated || !f.presence)));
  return list;
}

function readMessage(schemas: Schemas, type: string, r: Reader, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) r.fail(`messages nested deeper than ${MAX_DEPTH}`);
  const fields = schemas[type];
  const msg: Record<string, unknown> = {};
  for (const f of withDefaults(fields)) msg[f.name] = f.repeated ? [] : defaultOf(f.kind);
  while (r.pos < r.end) {
    const tag = r.uint32();
    const num = tag >>> 3;
    const wire = tag & 7;
    if (num === 0) r.fail(`${type}: field number 0`);
    const f = fields[num];
    if (!f) {
      r.skipField(wire);
      continue;
    }
    if (!isScalar(f.kind)) {
      if (wire !== WIRE_LEN) r.fail(`${type}.${f.name}: wire type ${wire} for a message`);
      const n = r.uint32();
      const end = r.pos + n;
      if (n > r.end - r.pos) r.fail(`${type}.${f.name}: ${n} bytes run past the end of its message`);
      const outer = r.end;
      r.end = end;
      const sub = readMessage(schemas, f.kind, r, depth + 1);
      r.end = outer;
      r.pos = end;
      if (f.repeated) (msg[f.name] as unknown[]).push(sub);
      else msg[f.name] = sub;
      continue;
    }
    const want = SCALAR_WIRE[f.kind];
    if (f.repeated && wire === WIRE_LEN && want !== WIRE_LEN) {
      // packed repeated scalars
      const n = r.uint32();
      if (n > r.end - r.pos) r.fail(`${type}.${f.name}: ${n} packed bytes run past the end of its message`);
      const outer = r.end;
      r.end = r.pos + n;
      const out = msg[f.name] as unknown[];
      while (r.pos < r.end) out.push(r.scalar(f.kind));
      r.end = outer;
      continue;
    }
    if (wire !== want) r.fail(`${type}.${f.name}: wire type ${wire}, expected ${want}`);
    const v = r.scalar(f.kind);
    if (f.repeated) (msg[f.name] as unknown[]).push(v);
    else msg[f.name] = v;
  }
  return msg;
}

/** Decodes bytes as message `type`; throws ModelFormatError on truncated or malformed input. */
export function decodeMessage(schemas: Schemas, type: string, bytes: Uint8Array): Record<string, unknown> {
  return readMessage(schemas, type, new Reader(bytes, 0, bytes.length), 0);
}
