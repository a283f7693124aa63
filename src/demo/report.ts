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
    const extra = score.extra.length ? `, extra: ${score.extra.map((e) => JSON.stringify(e)).join(', ')}` : '';
    out.push(`  truth: ${exact}/${score.lines.length} sign lines exact${extra}${score.exact ? '  [all correct]' : ''}`);
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
    `  ${gpu}wall ${ms(t.wallMs)} (preprocess ${ms(t.preMs)}, det ${ms(t.detMs)}, postprocess ${ms(t.postMs)}, rec ` +
      `${ms(t.recMs)}${t.compileMs > 1 ? `, building plans ${ms(t.compileMs)}` : ''})`,
  );
  return out;
}

/** One frame's wall time split by stage: host pre/post-processing and the two networks (upload, run, readback). */
export function formatStages(result: OcrResult): string {
  const t = result.timing;
  const plans = t.compileMs > 1 ? `, building plans ${ms(t.compileMs)}` : '';
  return (
    `stages: preprocess ${ms(t.preMs)}, det ${ms(t.detMs)}, post ${ms(t.postMs)}, rec ${ms(t.recMs)} ` +
    `(${t.recRuns} run${t.recRuns === 1 ? '' : 's'})${plans}`
  );
}

export interface AccuracyRow {
  engine: string;
  precision: string;
  /** The frame set (signs, gaps). */
  set?: string;
  device: string;
  summary?: AccuracySummary;
  msPerFrame?: number;
  /** Mean per-stage wall time per frame (Kestrel / onnxruntime rows). */
  stages?: { preMs: number; detMs: number; postMs: number; recMs: number };
  error?: string;
}

const stageCell = (r: AccuracyRow) =>
  r.stages
    ? [r.stages.preMs, r.stages.detMs, r.stages.postMs, r.stages.recMs].map((v) => v.toFixed(0)).join(' / ')
    : '';
/** "mesa software llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1" -> "llvmpipe (Mesa 25.0.7)": fits a table. */
export const shortDevice = (d: string): string => {
  const m = /(llvmpipe|SwiftShader)[^]*?Mesa ([\d.]+)/i.exec(d);
  return m ? `${m[1]} (Mesa ${m[2]})` : d.replace(/ driver [\d.]+$/, '');
};

export function formatAccuracy(rows: readonly AccuracyRow[]): string[] {
  const notes: string[] = [];
  const body = rows.map((r) => {
    const head = [r.set ?? '', r.engine, r.precision, shortDevice(r.device)];
    if (r.summary) {
      return [
        ...head,
        `${r.summary.exactLines}/${r.summary.lines} ${pct(r.summary.exactMatch)}`,
        pct(r.summary.charAccuracy),
        `${r.summary.exactFrames}/${r.summary.frames}`,
        String(r.summary.extra),
        r.msPerFrame !== undefined ? r.msPerFrame.toFixed(0) : '',
        stageCell(r),
      ];
    }
    notes.push(`[${notes.length + 1}] ${r.engine} ${r.precision}: ${r.error ?? 'failed'}`);
    return [...head, `n/a [${notes.length}]`, '', '', '', '', ''];
  });
  return [
    ...table(
      [
        [
          'set',
          'engine',
          'precision',
          'device',
          'exact match (lines)',
          'char acc',
          'frames all-correct',
          'extra',
          'wall ms/frame',
          'pre / det / post / rec ms',
        ],
        ...body,
      ],
      ['l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    ...notes,
  ];
}

/** The accuracy table as Markdown, for issue notes and the README. */
export function accuracyMarkdown(rows: readonly AccuracyRow[]): string {
  const head =
    '| set | engine | precision | device | exact match (lines) | char accuracy | frames all-correct | extra lines | ' +
    'wall ms/frame | pre / det / post / rec ms |\n|---|---|---|---|---|---|---|---|---|---|';
  const body = rows.map((r) =>
    r.summary
      ? `| ${r.set ?? ''} | ${r.engine} | ${r.precision} | ${shortDevice(r.device)} | ` +
        `${r.summary.exactLines}/${r.summary.lines} (${pct(r.summary.exactMatch)}) | ${pct(r.summary.charAccuracy)} ` +
        `| ${r.summary.exactFrames}/${r.summary.frames} | ${r.summary.extra} | ${r.msPerFrame?.toFixed(0) ?? ''} | ` +
        `${stageCell(r)} |`
      : `| ${r.set ?? ''} | ${r.engine} | ${r.precision} | ${shortDevice(r.device)} | n/a: ${r.error ?? ''} | | | | ` +
        `| |`,
  );
  return [head, ...body].join('\n');
}
