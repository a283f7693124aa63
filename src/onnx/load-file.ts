// Reading a model file and its external data in Node, with external data confined to the model's folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KestrelError, LimitError, ModelFormatError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import type { ExternalReader } from './tensor.js';

export function readModelFile(source: string, limits: Limits): { bytes: Uint8Array; external: ExternalReader } {
  let size: number;
  try {
    size = fs.statSync(source).size;
  } catch (e) {
    throw new KestrelError('USAGE', `cannot read model file '${source}': ${(e as Error).message}`);
  }
  if (size > limits.maxModelBytes)
    throw new LimitError(`model file '${source}' is ${size} bytes, over maxModelBytes (${limits.maxModelBytes})`);
  const dir = path.dirname(path.resolve(source));
  let externalTotal = 0;
  const external: ExternalReader = (location, offset, length, tensor) => {
    if (path.isAbsolute(location) || location.includes('\0'))
      throw new ModelFormatError(`${tensor}: external data path '${location}' must be relative to the model's folder`);
    const full = path.resolve(dir, location);
    const rel = path.relative(dir, full);
    if (rel.startsWith('..') || path.isAbsolute(rel))
      throw new ModelFormatError(`${tensor}: external data path '${location}' escapes the model's folder`);
    let st: fs.Stats;
    try {
      st = fs.statSync(full);
    } catch {
      throw new ModelFormatError(`${tensor}: external data file '${location}' not found`);
    }
    // a symlink inside the folder may point anywhere: compare real paths too
    const realRel = path.relative(fs.realpathSync(dir), fs.realpathSync(full));
    if (realRel.startsWith('..') || path.isAbsolute(realRel))
      throw new ModelFormatError(
        `${tensor}: external data path '${location}' escapes the model's folder (through a link)`,
      );
    const len = length ?? st.size - offset;
    if (offset + len > st.size || len < 0)
      throw new ModelFormatError(
        `${tensor}: external data range ${offset}+${len} exceeds file '${location}' (${st.size} bytes)`,
      );
    externalTotal += len;
    if (externalTotal > limits.maxExternalBytes)
      throw new LimitError(`external data exceeds maxExternalBytes (${limits.maxExternalBytes})`);
    const buf = Buffer.alloc(len);
    const fd = fs.openSync(full, 'r');
    try {
      fs.readSync(fd, buf, 0, len, offset);
    } finally {
      fs.closeSync(fd);
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, len);
  };
  return { bytes: new Uint8Array(fs.readFileSync(source)), external };
}
