// The profile and bench reports without a GPU: grouping, totals, text/markdown/HTML rendering, the
// roofline math, and the bench markdown flagging wrong numbers.
import { describe, expect, it } from 'vitest';
import { type Ceilings, rooflinePct } from '../../src/profile/ceilings.js';
import { profileMarkdown, profileText } from '../../src/profile/format.js';
import { profileHtml } from '../../src/profile/html.js';
import { type ProfileReport, type ProfileRow, groupRows } from '../../src/profile/profile.js';
import { mdTable, textTable } from '../../src/profile/table.js';
import { markdownReport } from '../../kernels-bench/report.js';
import type { BenchResults } from '../../kernels-bench/results.js';
import { rooflineSvg } from '../../kernels-bench/roofline.js';

const CEIL: Ceilings = {
  adapter: 'test adapter',
  slug: 'test-adapter',
  measuredAt: '2026-01-01T00:00:00Z',
  timing: 'timestamp',
  f32Gflops: 100,
  f16Gflops: 150,
  dot4Gops: 200,
  copyGBs: 10,
  copyBufferGBs: 20,
  dispatchUs: 5,
  roundTripUs: 100,
};

function row(index: number, op: string, variant: string, us: number | null, origin = [`n${index}`]): ProfileRow {
  return {
    index,
    node: origin[0],
    origin,
    op,
    variant,
    choice: '',
    inputs: ['[1,8,16,16]'],
    output: '[1,8,16,16]',
    workgroups: [1, 1, 1],
    flops: 1e6,
    bytes: 1e5,
    us,
    minUs: us,
    meanUs: us,
    startUs: null,
    pct: null,
    gflops: us ? 1e6 / us / 1e3 : null,
    gbs: null,
    ceilingPct: null,
    bound: null,
  };
}

function report(rows: ProfileRow[]): ProfileReport {
  const sum = rows.reduce((a, r) => a + (r.us ?? 0), 0);
  for (const r of rows) r.pct = r.us === null ? null : (100 * r.us) / sum;
  return {
    title: 'Kestrel profile: test.onnx',
    adapter: 'test adapter',
    inputs: { x: [1, 3, 32, 32] },
    ceilings: CEIL,
    ceilingsSource: 'given',
    totals: {
      timing: 'timestamp',
      statistic: 'median',
      iterations: 5,
      steps: rows.length,
      dispatches: rows.length,
      gpuMs: sum / 1000,
      stepSumMs: sum / 1000,
      stepMeanSumMs: sum / 1000,
      meanGpuMs: sum / 1000,
      coverage: 1,
      stepMinSumMs: sum / 1000,
      minGpuMs: sum / 1000,
      wallMs: 2,
      encodeMs: 0.1,
      flops: 1e6 * rows.length,
      bytes: 1e5 * rows.length,
    },
    rows,
    byOp: groupRows(rows, (r) => r.op),
    byVariant: groupRows(rows, (r) => r.variant),
    notes: ['a note'],
  };
}

describe('profile grouping', () => {
  it('sums steps per op and the shares add up to 100%', () => {
    const rows = [row(0, 'conv', 'conv2d.a', 300), row(1, 'conv', 'conv2d.b', 100), row(2, 'pool', 'pool.max', 100)];
    const g = groupRows(rows, (r) => r.op);
    expect(g.map((x) => x.key)).toEqual(['conv', 'pool']);
    expect(g[0]).toMatchObject({ steps: 2, us: 400 });
    expect(g.reduce((a, x) => a + (x.pct ?? 0), 0)).toBeCloseTo(100, 6);
    expect(g[0].gflops).toBeCloseTo(2e6 / 400 / 1e3, 9);
  });

  it('leaves times empty when no step was timed (wall-clock fallback)', () => {
    const g = groupRows([row(0, 'conv', 'a', null), row(1, 'pool', 'b', null)], (r) => r.op);
    expect(g.every((x) => x.us === null && x.pct === null)).toBe(true);
    expect(g.map((x) => x.steps)).toEqual([1, 1]);
  });
});

describe('profile rendering', () => {
  const rows = [
    row(0, 'conv', 'conv2d.igemm', 500, ['Conv_0', 'Relu_1']),
    row(1, 'pool', 'pool.max', 120),
    row(2, 'matmul', 'matmul.sg', 80),
  ];
  const p = report(rows);

  it('prints one line per step, the totals and the op table', () => {
    const text = profileText(p);
    for (const r of rows) expect(text).toContain(r.variant);
    expect(text).toContain('Conv_0 +1');
    expect(text).toMatch(/GPU time: 0\.7 ms/);
    expect(text).toContain('by op:');
    expect(text).toContain('note: a note');
    const top = profileText(p, { top: 1 });
    expect(top).toContain('conv2d.igemm');
    expect(top).toContain('top 1 of 3 steps by time:');
  });

  it('writes a markdown summary with the top steps', () => {
    const md = profileMarkdown(p, 2);
    expect(md).toContain('| # | node(s) | op |');
    expect(md.split('\n').filter((l) => l.startsWith('| 0 ') || l.startsWith('| 1 ')).length).toBe(2);
  });

  it('writes a self-contained HTML page with the bar charts', () => {
    const html = profileHtml(p);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|\bsrc=|\bhref=|url\(/i);
    expect(html.match(/https?:\/\/[^"]+/g)?.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true);
    expect((html.match(/<svg /g) ?? []).length).toBe(3);
    // one bar per step in the top chart and one per op in the second
    for (const r of rows) expect(html).toContain(`#${r.index} ${r.variant}`);
    expect(html).toContain('conv (1 steps)');
  });
});

describe('roofline math', () => {
  it('picks the bound by arithmetic intensity', () => {
    // 1 GFLOP in 10 ms = 100 GFLOP/s at 1000 FLOP/B: compute-bound at 100%
    expect(rooflinePct(CEIL, 1e9, 1e6, 10)).toEqual({ pct: 100, bound: 'compute' });
    // 1 MFLOP over 100 MB in 20 ms = 5 GB/s: memory-bound at 50%
    const m = rooflinePct(CEIL, 1e6, 1e8, 20)!;
    expect(m.bound).toBe('memory');
    expect(m.pct).toBeCloseTo(50, 9);
    expect(rooflinePct(CEIL, 1e6, 1e6, 0)).toBeNull();
  });
});

describe('tables', () => {
  it('aligns numeric columns right and pads text columns', () => {
    const t = textTable(
      ['name', 'ms'],
      [
        ['a', '1.5'],
        ['long name', '10'],
      ],
    ).split('\n');
    expect(t[2]).toBe('a          1.5');
    expect(t[3]).toBe('long name   10');
    expect(mdTable(['a', 'n'], [['x|y', '2']])).toBe('| a | n |\n|---|---:|\n| x\\|y | 2 |');
  });
});

describe('bench report', () => {
  const results: BenchResults = {
    schema: 1,
    adapter: 'test adapter',
    slug: 'test-adapter',
    date: '2026-01-01',
    quick: true,
    command: 'npm run bench -- --quick',
    timing: 'timestamp',
    ceilings: CEIL,
    ceilingsCached: true,
    cases: [
      {
        id: 'matmul/x',
        family: 'matmul',
        source: 'test',
        op: 'matmul',
        shapes: '64x64 · 64x64 → 64x64',
        flops: 2 * 64 ** 3,
        bytes: 3 * 64 * 64 * 4,
        intensity: 10.7,
        refMs: 1,
        rungs: [
          {
            rung: 'naive',
            variants: ['matmul.naive'],
            ms: 1,
            gflops: 0.5,
            gbs: 0.05,
            ceilingPct: 0.5,
            bound: 'compute',
            maxError: 1e-7,
            ok: true,
          },
          {
            rung: 'default',
            variants: ['matmul.sg'],
            ms: 0.1,
            gflops: 5,
            gbs: 0.5,
            ceilingPct: 5,
            bound: 'compute',
            maxError: 0.5,
            ok: false,
          },
        ],
        best: 'naive',
        peer: {
          peer: 'tfjs-webgpu',
          version: '4.22.0',
          kestrelMs: 0.1,
          peerMs: 0.3,
          ratio: 3,
          pairs: 5,
          peerMaxError: 1e-7,
          timing: 'timestamp',
        },
      },
    ],
    families: [{ family: 'matmul', bestCeilingPct: 0.5, bestCase: 'matmul/x [naive]', bound: 'compute' }],
    models: [{ student: 'det', label: 'PP-OCRv4 det 1x3x320x320', kestrelMs: 20, ortWebMs: 700, ratio: 35, pairs: 3 }],
    cold: [{ engine: 'kestrel', student: 'det', cache: 'off', ok: true, totalMs: 900, parts: { firstRunMs: 500 } }],
    notes: ['WRONG NUMBERS (max error above tolerance): matmul/x [default]'],
  };

  it('has every section and flags wrong numbers', () => {
    const md = markdownReport(results);
    for (const h of [
      '## Adapter ceilings',
      '## Best % of ceiling per kernel family',
      '## Kernel ladders',
      '## Kernels against TF.js WebGPU',
      '## Whole models against ONNX Runtime Web',
      '## Cold start',
    ]) {
      expect(md).toContain(h);
    }
    expect(md).toContain('**WRONG**');
    expect(md).toContain('3.00x');
    expect(md).toContain('35.0x');
  });

  it('draws a roofline with the roofs and one point per correct rung', () => {
    const svg = rooflineSvg(results.cases, CEIL, 'Roofline');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('f32 FMA peak 100 GFLOP/s');
    expect((svg.match(/<circle [^>]*><title>/g) ?? []).length).toBe(1);
  });
});
