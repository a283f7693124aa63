// Types for scripts/test-summary.mjs, for the tests that import it.
export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  notes: string[];
  line: string;
}
export function summarize(results: unknown, opts?: { ci?: boolean; vitestExit?: number | null; cwd?: string }): Summary;
export function summarizeRuns(
  runs: { label: string; results: unknown }[],
  opts?: { ci?: boolean; vitestExit?: number | null; cwd?: string },
): Summary;
