// `npm run compare -- --adapters lavapipe,swiftshader`: each adapter's whole-model comparison (one child process
// each) in one table per model, a column group per adapter, followed by each adapter's full report.
import { mdTable, num, ratio } from '../src/profile/table.js';
import type { ColdResult } from './cold.js';
import { STUDENTS, type EngineName, type Student } from './models.js';
import type { EngineTiming } from './run-models.js';

export interface CompareJson {
  adapter: string;
  results: { student: Student; warm: Omit<EngineTiming, 'model'>[]; cold: ColdResult[] }[];
}

export interface AdapterRun {
  kind: string;
  code: number;
  stdout: string;
  json: CompareJson | null;
}

type Row = CompareJson['results'][number];
const warmMs = (r: Row | undefined, e: EngineName) => r?.warm.find((t) => t.engine === e)?.ms ?? null;
const coldMs = (r: Row | undefined, e: EngineName, cache: 'off' | 'warm') => {
  const c = r?.cold.find((x) => x.engine === e && x.cache === cache);
  return c?.ok ? (c.totalMs ?? null) : null;
};
const ms = (x: number | null) => (x === null ? '' : `${num(x)} ms`);

export function sideBySide(runs: AdapterRun[]): string {
  const ok = runs.filter((r): r is AdapterRun & { json: CompareJson } => r.json !== null);
  const out = ['# Whole-model comparison per adapter', ''];
  for (const r of runs) out.push(`- ${r.kind}: ${r.json ? r.json.adapter : 'no results'} (exit ${r.code})`);
  const students = [...new Set(ok.flatMap((r) => r.json.results.map((x) => x.student)))];
  const what: [string, (r: Row | undefined, e: EngineName) => number | null][] = [
    ['warm latency, median', warmMs],
    ['cold start, shader cache off', (r, e) => coldMs(r, e, 'off')],
    ['cold start, shader cache warm', (r, e) => coldMs(r, e, 'warm')],
  ];
  for (const s of students) {
    const rows = what.map(([label, f]) => [
      label,
      ...ok.flatMap((r) => {
        const row = r.json.results.find((x) => x.student === s);
        const k = f(row, 'kestrel');
        const w = f(row, 'ort-web');
        return [ms(k), ms(w), ratio(k && w ? w / k : null)];
      }),
    ]);
    const head = ok.flatMap((r) => [`${r.kind} Kestrel`, `${r.kind} ORT-web 1.22`, `${r.kind} ORT-web / Kestrel`]);
    out.push('', `## ${STUDENTS[s].label}, f32`, '', mdTable(['what', ...head], rows));
  }
  out.push('', '# Per-adapter reports', '');
  for (const r of runs) out.push(r.stdout.trim(), '');
  return `${out.join('\n')}\n`;
}
