// loadModel: bytes, a ReadableStream or a URL (anywhere), or a file path (Node), with progress and cancellation.
// External data is read only for file paths, and stays confined to the model's folder.
import { AbortError, KestrelError, LimitError } from '../core/errors.js';
import { withLimits } from '../core/limits.js';
import { type LoadOptions, type Model, decodeModel } from './decode.js';

export interface LoadProgress {
  loaded: number;
  /** From Content-Length or the file size; null when unknown. */
  total: number | null;
}

export interface LoadModelOptions extends LoadOptions {
  /** Called as bytes arrive (at least once, when all have). */
  onProgress?: (progress: LoadProgress) => void;
  /** Aborting rejects with AbortError and cancels the fetch or stream. */
  signal?: AbortSignal;
}

export type ModelSource = Uint8Array | ArrayBuffer | string | URL | ReadableStream<Uint8Array>;

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

export async function loadModel(source: ModelSource, opts: LoadModelOptions = {}): Promise<Model> {
  const { signal, onProgress } = opts;
  throwIfAborted(signal);
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    onProgress?.({ loaded: bytes.length, total: bytes.length });
    return decodeModel(bytes, opts);
  }
  if (isReadableStream(source)) return decodeModel(await readStream(source, null, opts), opts);
  const text = String(source);
  // in Node a plain string (or file: URL) is a path; everywhere else a string is a URL to fetch
  const fileUrl = /^file:/i.test(text);
  if (isNode && (fileUrl || !/^[a-z][a-z0-9+.-]*:/i.test(text))) {
    const urlModule = 'node:url'; // a variable, so the browser bundle does not try to resolve it
    const { fileURLToPath } = (await import(/* @vite-ignore */ urlModule)) as typeof import('node:url');
    const path = fileUrl ? fileURLToPath(text) : text;
    // Node only: the browser bundle replaces load-file.ts with a stub (scripts/build.mjs)
    const { readModelFile } = await import('./load-file.js');
    const { bytes, external } = readModelFile(path, withLimits(opts.limits));
    throwIfAborted(signal);
    onProgress?.({ loaded: bytes.length, total: bytes.length });
    return decodeModel(bytes, { ...opts, external: opts.external ?? external });
  }
  return decodeModel(await fetchBytes(text, opts), opts);
}

async function fetchBytes(url: string, opts: LoadModelOptions): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: opts.signal });
  } catch (e) {
    throwIfAborted(opts.signal);
    throw new KestrelError('USAGE', `cannot fetch model '${url}': ${(e as Error).message}`);
  }
  if (!res.ok) throw new KestrelError('USAGE', `cannot fetch model '${url}': HTTP ${res.status} ${res.statusText}`);
  const length = Number(res.headers.get('content-length') ?? NaN);
  // a compressed response's Content-Length counts compressed bytes, so it is no total for the decoded stream
  const total = Number.isFinite(length) && !res.headers.get('content-encoding') ? length : null;
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    opts.onProgress?.({ loaded: bytes.length, total: bytes.length });
    return bytes;
  }
  return readStream(res.body, total, opts);
}

/** Reads a stream to its end, reporting progress, enforcing maxModelBytes early, and cancelling on abort. */
async function readStream(
  stream: ReadableStream<Uint8Array>,
  total: number | null,
  opts: LoadModelOptions,
): Promise<Uint8Array> {
  const { signal, onProgress } = opts;
  const max = withLimits(opts.limits).maxModelBytes;
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throwIfAborted(signal);
        throw new KestrelError('USAGE', `reading the model stream failed: ${(e as Error).message}`);
      }
      throwIfAborted(signal);
      if (r.done) break;
      if (!(r.value instanceof Uint8Array))
        throw new KestrelError('USAGE', 'a model stream must yield Uint8Array chunks');
      loaded += r.value.length;
      if (loaded > max) {
        await reader.cancel().catch(() => undefined);
        throw new LimitError(`model stream exceeds maxModelBytes (${max}) after ${loaded} bytes`);
      }
      chunks.push(r.value);
      onProgress?.({ loaded, total });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
  onProgress?.({ loaded, total: loaded });
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError('loading the model', signal.reason);
}

function isReadableStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof x === 'object' && x !== null && typeof (x as ReadableStream).getReader === 'function';
}
