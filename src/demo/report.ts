// Text for the terminal: recognized lines, the per-kernel latency summary and the accuracy table.
import type { AccuracySummary, FrameScore } from './accuracy.js';
import { type OcrResult, summarizeSteps } from './pipeline.js';

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

function table(rows: string[][], align: ('l' | 'r')[] = []): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (align[c] === 'r' ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd(),
  );
}

export function formatLines(result: OcrResult, score?: FrameScore): string[] {
  if (result.lines.length === 0) return ['  (no text found)'];
  const rows = [['#', 'text', 'conf', 'det', 'box (tl, tr, br, bl)']];
  result.lines.forEach((l, i) => {
    rows.push([
      String(i + 1),
      l.text,
      l.confidence.toFixed(3),
      l.detScore.toFixed(2),
      l.quad.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`).join(' '),
    ]);
  });
  const out = table(rows, ['r', 'l', 'r', 'r', 'l']).map((s) => `  ${s}`);
  if (score) {
    const exact = score.lines.filter((l) => l.exact).length;
    out.push(
      `  truth: ${exact}/${score.lines.length} sign lines exact${score.extra.length ? `, extra: ${score.extra.map((e) => JSON.stringify(e)).join(', ')}` : ''}${score.exact ? '  [all correct]' : ''}`,
    );
    for (const l of score.lines.filter((x) => !x.exact))
      out.push(`    expected ${JSON.stringify(l.truth)}, read ${JSON.stringify(l.read)}`);
  }
  return out;
}

export function formatLatency(result: OcrResult, topN = 10): string[] {
  const t = result.timing;
  const out: string[] = [];
  if (result.steps.length) {
    const s = summarizeSteps(result.steps, topN);
    out.push(`  top ${s.top.length} steps by GPU time (of ${result.steps.length}):`);
    out.push(
      ...table(
        [['model', 'node', 'kernel', 'GPU'], ...s.top.map((x) => [x.model, x.label, x.kernel, ms(x.gpuMs)])],
        ['l', 'l', 'l', 'r'],
      ).map((r) => `    ${r}`),
    );
    out.push('  GPU time by kernel:');
    const rows = s.byKernel
      .slice(0, topN)
      .map((k) => [k.kernel, `x${k.count}`, ms(k.gpuMs), pct(k.gpuMs / (s.totalGpuMs || 1))]);
    out.push(...table([['kernel', 'steps', 'GPU', 'share'], ...rows], ['l', 'r', 'r', 'r']).map((r) => `    ${r}`));
  } else {
    out.push('  (no per-step GPU timings: this engine or device has no timestamp queries)');
  }
  const gpu = t.gpuMs !== undefined ? `total GPU ${ms(t.gpuMs)}, ` : '';
  out.push(
    `  ${gpu}wall ${ms(t.wallMs)} (preprocess ${ms(t.preMs)}, det ${ms(t.detMs)}, postprocess ${ms(t.postMs)}, rec ${ms(t.recMs)}${t.compileMs > 1 ? `, building plans ${ms(t.compileMs)}` : ''})`,
  );
  return out;
}

export interface AccuracyRow {
  engine: string;
  precision: string;
  device: string;
  summary?: AccuracySummary;
  msPerFrame?: number;
  error?: string;
}

export function formatAccuracy(rows: readonly AccuracyRow[]): string[] {
  const notes: string[] = [];
  const body = rows.map((r) => {
    if (r.summary) {
      return [
        r.engine,
        r.precision,
        r.device,
        `${r.summary.exactLines}/${r.summary.lines} ${pct(r.summary.exactMatch)}`,
        pct(r.summary.charAccuracy),
        `${r.summary.exactFrames}/${r.summary.frames}`,
        String(r.summary.extra),
        r.msPerFrame !== undefined ? r.msPerFrame.toFixed(0) : '',
      ];
    }
    notes.push(`[${notes.length + 1}] ${r.engine} ${r.precision}: ${r.error ?? 'failed'}`);
    return [r.engine, r.precision, r.device, `n/a [${notes.length}]`, '', '', '', ''];
  });
  return [
    ...table([
      [
        'engine',
        'precision',
        'device',
        'exact match (lines)',
        'char acc',
        'frames all-correct',
        'extra',
        'wall ms/frame',
      ],
      ...body,
    ]),
    ...notes,
  ];
}

/** The accuracy table as Markdown, for issue notes and the README. */
export function accuracyMarkdown(rows: readonly AccuracyRow[]): string {
  const head =
    '| engine | precision | device | exact match (lines) | char accuracy | frames all-correct | extra lines | wall ms/frame |\n|---|---|---|---|---|---|---|---|';
  const body = rows.map((r) =>
    r.summary
      ? `| ${r.engine} | ${r.precision} | ${r.device} | ${r.summary.exactLines}/${r.summary.lines} (${pct(r.summary.exactMatch)}) | ${pct(r.summary.charAccuracy)} | ${r.summary.exactFrames}/${r.summary.frames} | ${r.summary.extra} | ${r.msPerFrame?.toFixed(0) ?? ''} |`
      : `| ${r.engine} | ${r.precision} | ${r.device} | n/a: ${r.error ?? ''} | | | | |`,
  );
  return [head, ...body].join('\n');
}
