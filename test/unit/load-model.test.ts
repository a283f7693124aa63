// loadModel from a ReadableStream, a file: URL and a local HTTP URL, with progress and AbortSignal; Session.create's
// signal. The reference is decodeModel on the same bytes read whole.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AbortError, LimitError } from '../../src/core/errors.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { type LoadProgress, loadModel } from '../../src/onnx/load.js';
import { gpuMemoryStats } from '../../src/runtime/executor.js';
import { Session } from '../../src/runtime/session.js';
import { MODELS, modelBytes } from '../models/models.js';
import { smallCnn } from '../reliability/util.js';

/** A stream of `bytes` in chunks of `chunk`; `cancelled` records a cancel from the reader. */
function chunkedStream(bytes: Uint8Array, chunk: number): { stream: ReadableStream<Uint8Array>; cancelled: boolean[] } {
  const cancelled: boolean[] = [];
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
    cancel() {
      cancelled.push(true);
    },
  });
  return { stream, cancelled };
}

function summary(m: Awaited<ReturnType<typeof loadModel>>) {
  return { inputs: m.inputs, outputs: m.outputs, nodes: m.graph.node.length, inits: m.graph.initializer.length };
}

describe('loadModel sources, progress and abort', () => {
  const bytes = modelBytes('cls');
  const whole = summary(decodeModel(bytes));

  it('reads a ReadableStream in chunks, reporting monotone progress that ends at the byte count', async () => {
    const progress: LoadProgress[] = [];
    const { stream } = chunkedStream(bytes, 64 * 1024);
    const m = await loadModel(stream, { onProgress: (p) => progress.push({ ...p }) });
    expect(summary(m)).toEqual(whole);
    expect(progress.length).toBeGreaterThan(Math.floor(bytes.length / (64 * 1024)));
    for (let i = 1; i < progress.length; i++) expect(progress[i].loaded).toBeGreaterThanOrEqual(progress[i - 1].loaded);
    expect(progress[progress.length - 1]).toEqual({ loaded: bytes.length, total: bytes.length });
  });

  it('an already-aborted signal rejects with AbortError before reading', async () => {
    const { stream, cancelled } = chunkedStream(bytes, 1024);
    await expect(loadModel(stream, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    await expect(loadModel(bytes, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(cancelled).toEqual([]);
  });

  it('aborting mid-stream rejects with AbortError and cancels the stream', async () => {
    const { stream, cancelled } = chunkedStream(bytes, 1024);
    const ac = new AbortController();
    let calls = 0;
    const err = await loadModel(stream, {
      signal: ac.signal,
      onProgress: () => {
        if (++calls === 3) ac.abort(new Error('user closed the page'));
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as Error).message).toMatch(/user closed the page/);
    expect(calls).toBe(3);
    expect(cancelled).toEqual([true]);
  });

  it('a stream over maxModelBytes stops early with LimitError', async () => {
    const { stream, cancelled } = chunkedStream(bytes, 1024);
    await expect(loadModel(stream, { limits: { maxModelBytes: 4096 } })).rejects.toBeInstanceOf(LimitError);
    expect(cancelled).toEqual([true]);
  });

  it('file: URLs and plain paths load in Node, with progress', async () => {
    const progress: LoadProgress[] = [];
    const m = await loadModel(pathToFileURL(MODELS.cls), { onProgress: (p) => progress.push(p) });
    expect(summary(m)).toEqual(whole);
    expect(progress).toEqual([{ loaded: bytes.length, total: bytes.length }]);
    expect(summary(await loadModel(pathToFileURL(MODELS.cls).href))).toEqual(whole);
  });

  it('fetches an http URL (a local server), with Content-Length as the total', async () => {
    const server = createServer((_, res) => {
      res.writeHead(200, { 'content-length': String(bytes.length) });
      res.end(Buffer.from(bytes));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cls.onnx`;
      const progress: LoadProgress[] = [];
      const m = await loadModel(url, { onProgress: (p) => progress.push({ ...p }) });
      expect(summary(m)).toEqual(whole);
      expect(progress.every((p) => p.total === bytes.length)).toBe(true);
      expect(progress[progress.length - 1].loaded).toBe(bytes.length);
      await expect(loadModel(url, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    } finally {
      server.close();
    }
  });
});

describe('Session.create with a signal', () => {
  it('an aborted signal rejects with AbortError and leaves no GPU buffers behind', async () => {
    const live = gpuMemoryStats.live;
    await expect(Session.create(smallCnn(), { signal: AbortSignal.abort('stop') })).rejects.toBeInstanceOf(AbortError);
    const ac = new AbortController();
    const { stream } = chunkedStream(smallCnn(), 256);
    const p = Session.create(stream, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(gpuMemoryStats.live).toBe(live);
    // the same stream source without an abort works
    const s = await Session.create(chunkedStream(smallCnn(), 256).stream);
    expect(s.inputs.map((i) => i.name)).toEqual(['x']);
    s.release();
  });
});
