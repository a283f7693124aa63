// loadModel: bytes (anywhere) or a file path (Node), with external data confined to the model's folder.
import { KestrelError, LimitError, ModelFormatError } from '../core/errors.js';
import { withLimits } from '../core/limits.js';
import { type LoadOptions, type Model, decodeModel } from './decode.js';
import type { ExternalReader } from './tensor.js';

export async function loadModel(source: Uint8Array | ArrayBuffer | string, opts: LoadOptions = {}): Promise<Model> {
  if (typeof source !== 'string') {
    return decodeModel(source instanceof Uint8Array ? source : new Uint8Array(source), opts);
  }
  const fsName = 'node:fs';
  const pathName = 'node:path';
  const fs: typeof import('node:fs') = await import(/* @vite-ignore */ fsName);
  const path: typeof import('node:path') = await import(/* @vite-ignore */ pathName);
  const limits = withLimits(opts.limits);
  let size: number;
  try {
    size = fs.statSync(source).size;
  } catch (e) {
    throw new KestrelError('USAGE', `cannot read model file '${source}': ${(e as Error).message}`);
  }
  if (size > limits.maxModelBytes) throw new LimitError(`model file '${source}' is ${size} bytes, over maxModelBytes (${limits.maxModelBytes})`);
  const dir = path.dirname(path.resolve(source));
  let externalTotal = 0;
  const external: ExternalReader = (location, offset, length, tensor) => {
    if (path.isAbsolute(location) || location.includes('\0')) throw new ModelFormatError(`${tensor}: external data path '${location}' must be relative to the model's folder`);
    const full = path.resolve(dir, location);
    const rel = path.relative(dir, full);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new ModelFormatError(`${tensor}: external data path '${location}' escapes the model's folder`);
    let st: import('node:fs').Stats;
    try { st = fs.statSync(full); } catch { throw new ModelFormatError(`${tensor}: external data file '${location}' not found`); }
    // a symlink inside the folder may point anywhere: compare real paths too
    const realRel = path.relative(fs.realpathSync(dir), fs.realpathSync(full));
    if (realRel.startsWith('..') || path.isAbsolute(realRel)) throw new ModelFormatError(`${tensor}: external data path '${location}' escapes the model's folder (through a link)`);
    const len = length ?? st.size - offset;
    if (offset + len > st.size || len < 0) throw new ModelFormatError(`${tensor}: external data range ${offset}+${len} exceeds file '${location}' (${st.size} bytes)`);
    externalTotal += len;
    if (externalTotal > limits.maxExternalBytes) throw new LimitError(`external data exceeds maxExternalBytes (${limits.maxExternalBytes})`);
    const buf = Buffer.alloc(len);
    const fd = fs.openSync(full, 'r');
    try { fs.readSync(fd, buf, 0, len, offset); } finally { fs.closeSync(fd); }
    return new Uint8Array(buf.buffer, buf.byteOffset, len);
  };
  return decodeModel(new Uint8Array(fs.readFileSync(source)), { ...opts, external: opts.external ?? external });
}
