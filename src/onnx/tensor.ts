// TensorProto -> HostTensor, with every size checked against the data actually present.
import { type DType, ONNX_DTYPE, ONNX_DTYPE_NAME, allocTyped } from '../core/dtype.js';
import { LimitError, ModelFormatError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import type { HostTensor } from '../core/tensor.js';
import { type OnnxTensor, int64 } from './proto.js';

/** Reads external data for a tensor; provided by the loader (Node only), with path checks done there. */
export type ExternalReader = (
  location: string,
  offset: number,
  length: number | undefined,
  tensor: string,
) => Uint8Array;

export function tensorDims(t: OnnxTensor, what: string, limits: Limits): number[] {
  const dims = t.dims.map((d) => int64(d));
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new ModelFormatError(`${what}: invalid dimension ${d} in [${dims.join(',')}]`);
    n *= d;
  }
  if (n > limits.maxTensorElements)
    throw new LimitError(`${what}: ${n} elements exceeds maxTensorElements (${limits.maxTensorElements})`);
  return dims;
}

export function decodeTensor(t: OnnxTensor, what: string, limits: Limits, external?: ExternalReader): HostTensor {
  const dtype: DType | undefined = ONNX_DTYPE[t.dataType];
  const label = `${what}${t.name ? ` '${t.name}'` : ''}`;
  if (!dtype)
    throw new ModelFormatError(`${label}: data type ${ONNX_DTYPE_NAME[t.dataType] ?? t.dataType} is not supported`);
  const shape = tensorDims(t, label, limits);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = allocTyped(dtype, n);
  let raw: Uint8Array | null = t.rawData && t.rawData.length ? t.rawData : null;
  if (t.dataLocation === 1) {
    if (!external)
      throw new ModelFormatError(
        `${label}: stored as external data, which needs the model's folder (load it from a path)`,
      );
    const kv = Object.fromEntries(t.externalData.map((e) => [e.key, e.value]));
    if (!kv.location) throw new ModelFormatError(`${label}: external data has no location`);
    const off = kv.offset ? Number(kv.offset) : 0;
    const len = kv.length ? Number(kv.length) : undefined;
    if (!Number.isSafeInteger(off) || off < 0 || (len !== undefined && (!Number.isSafeInteger(len) || len < 0))) {
      throw new ModelFormatError(`${label}: invalid external data offset/length`);
    }
    raw = external(kv.location, off, len, label);
  }
  if (raw) {
    const bytes = dtype === 'i4' || dtype === 'u4' ? Math.ceil(n / 2) : n * out.BYTES_PER_ELEMENT;
    if (raw.length !== bytes)
      throw new ModelFormatError(
        `${label}: raw_data has ${raw.length} bytes, shape [${shape.join(',')}] of ${ONNX_DTYPE_NAME[t.dataType]} ` +
          `needs ${bytes}`,
      );
    // a copy in a fresh, aligned buffer: Node's Buffer#slice is a view at any offset
    const copy = new Uint8Array(raw);
    if (dtype === 'i4' || dtype === 'u4') return { dtype, shape, data: copy };
    const view = new (out.constructor as new (b: ArrayBuffer, o: number, n: number) => typeof out)(
      copy.buffer,
      copy.byteOffset,
      n,
    );
    return { dtype, shape, data: view };
  }
  // Typed fields: which one holds the data depends on the type (onnx.proto comments).
  const fill = (src: ArrayLike<unknown>, field: string, conv: (v: unknown) => number | bigint) => {
    if (src.length !== n)
      throw new ModelFormatError(`${label}: ${field} has ${src.length} values, shape [${shape.join(',')}] needs ${n}`);
    for (let i = 0; i < n; i++) (out as unknown as (number | bigint)[])[i] = conv(src[i]);
  };
  switch (dtype) {
    case 'f32':
      fill(t.floatData, 'float_data', (v) => v as number);
      break;
    case 'i64':
      fill(t.int64Data, 'int64_data', (v) => BigInt(Math.trunc(int64(v as never))));
      break;
    case 'u32':
      fill(t.uint64Data, 'uint64_data', (v) => int64(v as never));
      break;
    case 'f16':
    case 'i32':
    case 'i8':
    case 'u8':
    case 'bool':
      fill(t.int32Data, 'int32_data', (v) => v as number);
      break;
    case 'i4':
    case 'u4': {
      // int4 in int32_data: one value per element, packed two per byte
      if (t.int32Data.length !== n)
        throw new ModelFormatError(`${label}: int32_data has ${t.int32Data.length} values, needs ${n}`);
      const packed = out as Uint8Array;
      for (let i = 0; i < n; i++) packed[i >> 1] |= (t.int32Data[i] & 0xf) << ((i & 1) * 4);
      break;
    }
  }
  return { dtype, shape, data: out };
}
