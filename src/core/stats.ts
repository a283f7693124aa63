// Summary statistics of timing runs, shared by the tuner, the profiler and the CLI.

/** The median of the finite values (the mean of the middle two for an even count); NaN when there are none. */
export function median(v: readonly number[]): number {
  const s = [...v].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
