// loadModel: bytes (anywhere) or a file path (Node), with external data confined to the model's folder.
import { withLimits } from '../core/limits.js';
import { type LoadOptions, type Model, decodeModel } from './decode.js';

export async function loadModel(source: Uint8Array | ArrayBuffer | string, opts: LoadOptions = {}): Promise<Model> {
  if (typeof source !== 'string') {
    return decodeModel(source instanceof Uint8Array ? source : new Uint8Array(source), opts);
  }
  // Node only: the browser bundle replaces load-file.ts with a stub (scripts/build.mjs)
  const { readModelFile } = await import('./load-file.js');
  const { bytes, external } = readModelFile(source, withLimits(opts.limits));
  return decodeModel(bytes, { ...opts, external: opts.external ?? external });
}
