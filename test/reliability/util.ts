// Shared pieces of the reliability suites: small models whose kernels all exist, timeouts, bit equality.
import { KestrelError } from '../../src/core/errors.js';
import type { HostTensor } from '../../src/core/tensor.js';
import { graph, io, node, tensor } from '../onnx-builder.js';
import { rng } from '../util.js';

/** A promise that settles, or a rejection naming what is still pending (never a hung test). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
    }),
  ]);
}

const weights = (name: string, dims: number[], seed: number) => {
  const r = rng(seed);
  return tensor(
    name,
    dims,
    Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r() - 0.5),
  );
};

/** x[1,3,H,W] -> conv3x3 s2 + relu -> depthwise conv + sigmoid -> maxpool -> add -> matmul: a small CNN. */
export function smallCnn(h = 16, w = 16): Uint8Array {
  return graph(
    [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 'conv1'),
      node('Relu', ['c1'], ['r1'], {}, 'relu1'),
      node('Conv', ['r1', 'w2'], ['c2'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 8 }, 'dwconv'),
      node('Sigmoid', ['c2'], ['s2'], {}, 'sig'),
      node('MaxPool', ['s2'], ['p'], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool'),
      node('Add', ['p', 'bias'], ['a'], {}, 'add'),
      node('MatMul', ['a', 'wm'], ['y'], {}, 'mm'),
    ],
    [io('x', [1, 3, h, w])],
    [io('y', [])],
    [
      weights('w1', [8, 3, 3, 3], 1),
      weights('b1', [8], 2),
      weights('w2', [8, 1, 3, 3], 3),
      weights('bias', [1, 8, 1, 1], 4),
      weights('wm', [w / 4, 5], 5),
    ],
  );
}

/** x + 1 -> relu: elementwise only, so NaN/Inf propagate in a way the test can predict. */
export function addOne(shape: (number | string)[] = [2, 3]): Uint8Array {
  return graph(
    [node('Add', ['x', 'one'], ['s'], {}, 'add'), node('Mul', ['s', 'two'], ['y'], {}, 'mul')],
    [io('x', shape)],
    [io('y', [])],
    [tensor('one', [], [1]), tensor('two', [], [2])],
  );
}

/** Bit-level equality of two tensors (NaN == NaN when the bits agree). */
export function bitsEqual(a: HostTensor, b: HostTensor): boolean {
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join() || a.data.byteLength !== b.data.byteLength) return false;
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return x.every((v, i) => v === y[i]);
}

/** Sessions that need a kernel still being written skip with the reason instead of failing. */
export function missingKernel(e: unknown): string | null {
  return e instanceof KestrelError && /no kernel for IR op/.test(e.message) ? e.message : null;
}

/** Ordinary least-squares slope of ys over 0..n-1. */
export function slope(ys: number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0,
    den = 0;
  ys.forEach((y, i) => {
    num += (i - mx) * (y - my);
    den += (i - mx) ** 2;
  });
  return den ? num / den : 0;
}
