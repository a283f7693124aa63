// The quantizer's accuracy check in plain words: how far the quantized model's output is from the float model's.
import { type HostTensor, toNumbers } from '../core/tensor.js';
import { diff } from '../parity/metrics.js';

export interface OutputError {
  name: string;
  /** Relative L2 error over the elements that matter (|ref| >= 1% of its largest magnitude). */
  relL2: number;
  cosine: number;
  maxAbs: number;
  /** The reference output's range, so that maxAbs can be read against it. */
  min: number;
  max: number;
  /** Elements the relative error was taken over, of all. */
  counted: number;
  count: number;
}

/**
 * Compares one output. Near-zero tails (a sigmoid map's background, a softmax's unlikely classes) are left out of the
 * relative error, where any difference divided by almost nothing would read as a huge error; cosine and the max abs
 * error still cover every element.
 */
export function outputError(name: string, quantized: HostTensor, reference: HostTensor): OutputError {
  const all = diff(quantized, reference);
  const ref = toNumbers(reference);
  const q = toNumbers(quantized);
  const n = ref.length;
  let peak = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = ref[i];
    peak = Math.max(peak, Math.abs(v));
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  let num = 0;
  let den = 0;
  let counted = 0;
  for (let i = 0; i < n; i++) {
    const r = ref[i];
    if (Math.abs(r) < 0.01 * peak) continue;
    const d = q[i] - r;
    num += d * d;
    den += r * r;
    counted++;
  }
  const relL2 = all.nanInf ? Infinity : den > 0 ? Math.sqrt(num / den) : all.relL2;
  return { name, relL2, cosine: all.cosine, maxAbs: all.maxAbs, min, max, counted, count: n };
}

const fmt = (v: number) => (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(3) : v.toExponential(1));

/** "output 'y' differs from the float model by 1.2% (relative L2 ...) on a bundled frame; ..." */
export function describeOutputError(e: OutputError, input: string): string {
  const pct = Number.isFinite(e.relL2) ? `${(100 * e.relL2).toFixed(e.relL2 < 0.001 ? 3 : 1)}%` : 'NaN/Inf';
  const over = e.counted < e.count ? ` over the ${e.counted} of ${e.count} values at >= 1% of the peak` : '';
  return (
    `output '${e.name}' differs from the float model by ${pct} (relative L2${over}) on ${input}; ` +
    `cosine similarity ${e.cosine.toFixed(5)}, largest difference ${fmt(e.maxAbs)} on values in [${fmt(e.min)}, ` +
    `${fmt(e.max)}]`
  );
}
