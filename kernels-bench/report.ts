// The bench results as markdown: ceilings, ladders, best % of ceiling per family, peer ratios, whole
// models, cold start and the det profile; the summary that issue notes paste.
import { type Cell, mdTable, num, pct, ratio } from '../src/profile/table.js';
import type { ColdResult } from './cold.js';
import { type BenchResults, ERROR_TOLERANCE, type RungResult } from './results.js';

const err = (r: RungResult) =>
  r.maxError === null ? 'no ref' : Number.isFinite(r.maxError) ? r.maxError.toExponential(1) : 'NaN';
const okCell = (r: RungResult) =>
  r.error ? `ERROR: ${r.error.slice(0, 60)}` : r.ok === false ? '**WRONG**' : r.ok ? 'ok' : '';

function coldParts(c: ColdResult): string {
  if (!c.ok) return `failed: ${c.error ?? ''}`.slice(0, 90);
  return Object.entries(c.parts ?? {})
    .map(([k, v]) => `${k.replace(/Ms$/, '')} ${num(v)}`)
    .join(', ');
}

export function coldTable(cold: ColdResult[]): string {
  return mdTable(
    ['engine', 'model', 'shader cache', 'cold start ms', 'parts (ms)'],
    cold.map((c) => [c.engine, c.student, c.cache, c.ok ? num(c.totalMs) : 'failed', coldParts(c)]),
  );
}

export function markdownReport(r: BenchResults): string {
  const c = r.ceilings;
  const out: string[] = [
    `# kernels-bench: ${r.adapter}`,
    '',
    `${r.date} · \`${r.command}\` · timing: ${r.timing === 'timestamp' ? 'GPU timestamps' : 'wall-clock (no timestamp-query)'} · medians after warm-up · max error is max|gpu−ref| / max|ref| (wrong above ${ERROR_TOLERANCE})`,
    '',
    '## Adapter ceilings',
    '',
    mdTable(
      ['ceiling', 'measured'],
      [
        ['f32 FMA peak', `${num(c.f32Gflops)} GFLOP/s`],
        ['f16 FMA peak', c.f16Gflops ? `${num(c.f16Gflops)} GFLOP/s` : 'no shader-f16'],
        ['int8 dot4I8Packed peak', c.dot4Gops ? `${num(c.dot4Gops)} GOP/s` : 'no packed dot'],
        ['storage-buffer bandwidth (shader vec4 copy, read+write)', `${num(c.copyGBs)} GB/s`],
        ['copyBufferToBuffer (read+write)', `${num(c.copyBufferGBs)} GB/s`],
        ['per dispatch, inside one pass', `${num(c.dispatchUs)} µs`],
        ['one submit + wait round trip', `${num(c.roundTripUs)} µs`],
      ],
    ),
    '',
    `(${r.ceilingsCached ? 'cached' : 'measured'} ${c.measuredAt}; the roofline is the f32 peak and the shader-copy bandwidth)`,
  ];

  const famRows: Cell[][] = r.families.map((f) => [
    f.family,
    f.bestCeilingPct === null ? '' : pct(f.bestCeilingPct),
    f.bound ?? '',
    f.bestCase ?? '',
  ]);
  out.push(
    '',
    '## Best % of ceiling per kernel family',
    '',
    mdTable(['family', 'best % of ceiling', 'bound', 'case'], famRows),
  );

  out.push('', '## Kernel ladders', '');
  const rows: Cell[][] = [];
  for (const k of r.cases) {
    for (const g of k.rungs) {
      rows.push([
        k.id,
        k.shapes,
        g.rung,
        g.variants.join(' + '),
        num(g.ms),
        num(g.gflops),
        num(g.gbs),
        g.ceilingPct === null
          ? ''
          : `${pct(g.ceilingPct)} ${g.bound === 'memory' ? 'mem' : 'flop'}${g.effectiveFlops ? ' (effective)' : ''}`,
        err(g),
        okCell(g),
      ]);
    }
  }
  out.push(mdTable(['case', 'shapes', 'rung', 'variant', 'ms', 'GFLOP/s', 'GB/s', '% ceil', 'max err', 'check'], rows));

  const peers = r.cases.filter((k) => k.peer);
  if (peers.length) {
    out.push('', '## Kernels against TF.js WebGPU (same process, same adapter, interleaved A B A B)', '');
    out.push(
      mdTable(
        ['case', 'shapes', 'Kestrel ms', 'TF.js ms', 'TF.js / Kestrel', 'TF.js max err'],
        peers.map((k) => {
          const p = k.peer!;
          return [
            k.id,
            k.shapes,
            p.error ? '' : num(p.kestrelMs),
            p.error ? '' : num(p.peerMs),
            p.error ? `error: ${p.error.slice(0, 50)}` : ratio(p.ratio),
            p.peerMaxError === null ? '' : p.peerMaxError.toExponential(1),
          ];
        }),
      ),
    );
  }

  if (r.models.length) {
    out.push(
      '',
      '## Whole models against ONNX Runtime Web 1.22 WebGPU (warm wall-clock per inference, interleaved)',
      '',
    );
    out.push(
      mdTable(
        ['model', 'Kestrel ms', 'ORT-web ms', 'ORT-web / Kestrel', 'pairs'],
        r.models.map((m) => [
          m.label,
          m.kestrelMs === null ? `failed: ${(m.kestrelError ?? '').slice(0, 70)}` : num(m.kestrelMs),
          m.ortWebMs === null ? `failed: ${(m.ortWebError ?? '').slice(0, 70)}` : num(m.ortWebMs),
          ratio(m.ratio),
          m.pairs,
        ]),
      ),
    );
  }

  if (r.cold.length)
    out.push('', '## Cold start (fresh process; model bytes in hand → first output read back)', '', coldTable(r.cold));

  if (r.detProfileTop?.length) {
    out.push('', '## PP-OCRv4 det 1x3x320x320: top steps by GPU time (`kestrel profile`)', '');
    out.push(
      mdTable(
        ['#', 'op', 'variant', 'node', 'shapes', 'µs', '%', 'GFLOP/s', '% ceil'],
        r.detProfileTop.map((s) => [
          s.index,
          s.op,
          s.variant,
          s.node,
          s.shapes,
          num(s.us),
          pct(s.pct),
          num(s.gflops),
          pct(s.ceilingPct),
        ]),
      ),
    );
  }

  if (r.tuning?.length) {
    out.push('', '## Tuning (best knobs per shape class)', '');
    out.push(
      mdTable(
        ['case', 'shape class', 'default ms', 'best ms', 'best knobs', 'tried'],
        r.tuning.map((t) => [
          t.id,
          t.shapeClass,
          num(t.defaultMs),
          num(t.bestMs),
          t.best
            ? Object.entries(t.best)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')
            : 'none correct',
          t.tried.length,
        ]),
      ),
    );
  }
  if (r.seconds)
    out.push(
      '',
      `Bench time: ${Object.entries(r.seconds)
        .map(([k, v]) => `${k} ${v} s`)
        .join(', ')}.`,
    );
  if (r.notes.length) out.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}
