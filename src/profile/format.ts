// A profile as text (the CLI's output), markdown (issue notes) and JSON.
import type { Ceilings } from './ceilings.js';
import type { GroupRow, ProfileReport, ProfileRow } from './profile.js';
import { type Cell, mdTable, num, pct, textTable } from './table.js';

/** The node column: the first ONNX node fused into the step, and how many more. */
export function nodesLabel(r: ProfileRow, width = 32): string {
  const first = r.origin[0] ?? r.node;
  const more = r.origin.length > 1 ? ` +${r.origin.length - 1}` : '';
  const room = Math.max(8, width - more.length);
  return (first.length > room ? `…${first.slice(first.length - room + 1)}` : first) + more;
}

export function shapesLabel(r: ProfileRow): string {
  return `${r.inputs.join(', ')} → ${r.output}`;
}

const STEP_HEADERS = ['#', 'node(s)', 'op', 'variant', 'from', 'shapes', 'µs', '%', 'GFLOP/s', 'GB/s', '% ceil'];

function stepCells(r: ProfileRow): Cell[] {
  const bound = r.bound === 'memory' ? ' mem' : r.bound === 'compute' ? ' flop' : '';
  return [
    r.index,
    nodesLabel(r),
    r.op,
    r.variant,
    r.choice,
    shapesLabel(r),
    num(r.us),
    pct(r.pct),
    num(r.gflops),
    num(r.gbs),
    r.ceilingPct === null ? '' : `${pct(r.ceilingPct)}${bound}`,
  ];
}

const GROUP_HEADERS = (what: string) => [what, 'steps', 'µs', '%', 'GFLOP/s'];
const groupCells = (g: GroupRow): Cell[] => [g.key, g.steps, num(g.us), pct(g.pct), num(g.gflops)];

export function ceilingsLine(c: Ceilings | null, source: string): string {
  if (!c) return 'ceilings: not measured (run `npm run bench` to cache them), so no % of ceiling';
  const parts = [`f32 FMA ${num(c.f32Gflops)} GFLOP/s`];
  if (c.f16Gflops) parts.push(`f16 ${num(c.f16Gflops)} GFLOP/s`);
  if (c.dot4Gops) parts.push(`int8 dot4 ${num(c.dot4Gops)} GOP/s`);
  parts.push(`shader copy ${num(c.copyGBs)} GB/s`, `dispatch ${num(c.dispatchUs)} µs`);
  return `ceilings: ${parts.join(', ')} (${source}, ${c.measuredAt.slice(0, 10)})`;
}

export function totalsLines(p: ProfileReport): string[] {
  const t = p.totals;
  const lines: string[] = [];
  if (t.timing === 'timestamp' && t.gpuMs !== null && t.stepSumMs !== null) {
    lines.push(
      `GPU time: ${num(t.gpuMs)} ms (first step begin → last step end, ${t.statistic} of ${t.iterations}); sum of ` +
        `per-step ${t.statistic === 'min' ? 'minimums' : `${t.statistic}s`} ${num(t.stepSumMs)} ms = ` +
        `${pct((100 * t.stepSumMs) / t.gpuMs)} of it` +
        (t.coverage === null ? '' : `; steps cover ${pct(100 * t.coverage)} of each run's GPU time`),
    );
  } else {
    lines.push('GPU time: not measured per step (wall-clock fallback, see note)');
  }
  lines.push(
    `wall time: ${num(t.wallMs)} ms per run (unprofiled: write inputs, one submit, read outputs; median of ` +
      `${t.iterations})`,
  );
  lines.push(
    `CPU encode: ${t.encodeMs === null ? 'not measured' : `${num(t.encodeMs)} ms`} (createCommandEncoder → submit)`,
  );
  lines.push(
    `dispatches: ${t.dispatches} in ${t.steps} steps, one submit; work ${num(t.flops / 1e9)} GFLOP, ` +
      `${num(t.bytes / 1e6)} MB moved`,
  );
  if (t.timing === 'timestamp' && t.gpuMs)
    lines.push(`effective: ${num(t.flops / t.gpuMs / 1e6)} GFLOP/s over the GPU time`);
  return lines;
}

export function coldStartLine(p: ProfileReport): string | null {
  const c = p.coldStart;
  if (!c) return null;
  const f = (k: string, label: string) => (c[k] === undefined ? null : `${label} ${num(c[k])} ms`);
  const parts = [
    f('loadMs', 'load'),
    f('optimizeMs', 'import+optimize'),
    f('planMs', 'plan+pipelines'),
    c.pipelines !== undefined ? `${c.pipelines} pipelines` : null,
    f('firstRunMs', 'first run'),
    f('totalMs', 'total'),
  ];
  return `cold start: ${parts.filter(Boolean).join(', ')}`;
}

export function profileText(p: ProfileReport, opts: { top?: number } = {}): string {
  const rows = opts.top ? [...p.rows].sort((a, b) => (b.us ?? 0) - (a.us ?? 0)).slice(0, opts.top) : p.rows;
  const timing =
    p.totals.timing === 'timestamp' ? 'GPU timestamps, one query set per run' : 'WALL-CLOCK ONLY (whole runs)';
  const out = [
    p.title,
    `adapter: ${p.adapter}`,
    `inputs: ${Object.entries(p.inputs)
      .map(([k, s]) => `${k}=${s.join('x')}`)
      .join(' ')}`,
    `timing: ${timing}, ${p.totals.statistic} of ${p.totals.iterations} runs`,
    ceilingsLine(p.ceilings, p.ceilingsSource),
  ];
  const cold = coldStartLine(p);
  if (cold) out.push(cold);
  out.push(
    '',
    opts.top ? `top ${rows.length} of ${p.rows.length} steps by time:` : `${p.rows.length} steps:`,
    textTable(STEP_HEADERS, rows.map(stepCells)),
  );
  out.push('', ...totalsLines(p));
  out.push('', 'by op:', textTable(GROUP_HEADERS('op'), p.byOp.map(groupCells)));
  out.push('', 'by kernel variant:', textTable(GROUP_HEADERS('variant'), p.byVariant.map(groupCells)));
  for (const n of p.notes) out.push(`note: ${n}`);
  return out.join('\n');
}

/** The summary for an issue note: totals, the top steps by time, and the by-op table. */
export function profileMarkdown(p: ProfileReport, top = 10): string {
  const rows = [...p.rows].sort((a, b) => (b.us ?? 0) - (a.us ?? 0)).slice(0, top);
  return [
    `**${p.title}** on ${p.adapter}`,
    '',
    ...totalsLines(p).map((l) => `- ${l}`),
    '',
    `Top ${rows.length} steps by GPU time:`,
    '',
    mdTable(STEP_HEADERS, rows.map(stepCells)),
    '',
    mdTable(GROUP_HEADERS('op'), p.byOp.map(groupCells)),
  ].join('\n');
}

export function profileJson(p: ProfileReport): string {
  return JSON.stringify(p, (_: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}
