// `npm run bench -- --adapters lavapipe,swiftshader`: the per-adapter results side by side, one column group per
// adapter: the ceilings, then every case and rung with its kernel, GFLOP/s and % of that adapter's ceiling.
import { type Cell, mdTable, num, pct } from '../src/profile/table.js';
import type { BenchResults, RungResult } from './results.js';

export function sideBySideReport(runs: { kind: string; results: BenchResults | null; code: number }[]): string {
  const ok = runs.filter((r): r is { kind: string; results: BenchResults; code: number } => r.results !== null);
  const out: string[] = ['# kernels-bench per adapter', ''];
  for (const r of runs) out.push(`- ${r.kind}: ${r.results ? r.results.adapter : 'no results'} (exit ${r.code})`);
  const c = (f: (b: BenchResults) => string) => ok.map((r) => f(r.results));
  out.push(
    '',
    '## Ceilings',
    '',
    mdTable(
      ['ceiling', ...ok.map((r) => r.kind)],
      [
        ['f32 multiply-add peak, GFLOP/s', ...c((b) => num(b.ceilings.f32Gflops))],
        ['f16 multiply-add peak, GFLOP/s', ...c((b) => (b.ceilings.f16Gflops ? num(b.ceilings.f16Gflops) : 'no f16'))],
        ['int8 dot4 peak, GOP/s', ...c((b) => (b.ceilings.dot4Gops ? num(b.ceilings.dot4Gops) : 'no dot4'))],
        ['shader copy, GB/s', ...c((b) => num(b.ceilings.copyGBs))],
        ['copyBufferToBuffer, GB/s', ...c((b) => num(b.ceilings.copyBufferGBs))],
        ['per dispatch, µs', ...c((b) => num(b.ceilings.dispatchUs))],
      ],
    ),
  );
  const keys: string[] = [];
  for (const r of ok) {
    for (const k of r.results.cases)
      for (const g of k.rungs) if (!keys.includes(`${k.id}\t${g.rung}`)) keys.push(`${k.id}\t${g.rung}`);
  }
  const find = (b: BenchResults, key: string): RungResult | undefined => {
    const [id, rung] = key.split('\t');
    return b.cases.find((k) => k.id === id)?.rungs.find((g) => g.rung === rung);
  };
  const cell = (g: RungResult | undefined): Cell[] =>
    !g
      ? ['', '', '']
      : g.error
        ? [`error: ${g.error.slice(0, 40)}`, '', '']
        : [
            g.variants.join(' + ') + (g.ok === false ? ' WRONG' : ''),
            num(g.gflops),
            g.ceilingPct === null ? '' : `${pct(g.ceilingPct)}${g.effectiveFlops ? ' eff.' : ''}`,
          ];
  out.push(
    '',
    '## Kernel ladders',
    '',
    mdTable(
      ['case', 'rung', ...ok.flatMap((r) => [`${r.kind} kernel`, `${r.kind} GFLOP/s`, `${r.kind} % ceiling`])],
      keys.map((key) => [...key.split('\t'), ...ok.flatMap((r) => cell(find(r.results, key)))]),
    ),
  );
  const notes = ok.flatMap((r) => r.results.notes.map((n) => `- ${r.kind}: ${n}`));
  if (notes.length) out.push('', '## Notes', '', ...notes);
  return `${out.join('\n')}\n`;
}
