// Whole-model comparison for issue 6: `npm run compare [-- --models det,rec,cls] [--runs N] [--json FILE]`.
// Kestrel vs ONNX Runtime Web 1.22 (WebGPU, same adapter) vs onnxruntime-node (native CPU): warm median
// latency from interleaved runs in one process, and cold start in fresh processes with the driver's shader
// cache off (MESA_SHADER_CACHE_DISABLE=true) and warm. Prints the issue-6 table with ratios per model.
// `--adapter lavapipe|swiftshader` picks the adapter (KESTREL_ADAPTER); a list (`lavapipe,swiftshader`) runs
// the whole comparison once per adapter, each in its own process, and prints the tables one after another.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ColdResult, coldStart } from '../kernels-bench/cold.js';
import { coldTable } from '../kernels-bench/report.js';
import { type EngineName, STUDENTS, type Student } from '../kernels-bench/models.js';
import { type EngineTiming, interleaved } from '../kernels-bench/run-models.js';
import { adapterName, createGpuContext } from '../src/runtime/device.js';
import { installNavigatorGpu } from '../kernels-bench/gpu.js';
import { parseAdapterList, runForAdapter, withoutFlag } from '../kernels-bench/adapters.js';
import { mdTable, num, ratio } from '../src/profile/table.js';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'det,rec,cls' },
    runs: { type: 'string', default: '10' },
    json: { type: 'string' },
    'no-cold': { type: 'boolean', default: false },
    'no-cold-off': { type: 'boolean', default: false },
    adapter: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(
    'usage: npm run compare -- [--models det,rec,cls] [--runs N] [--json FILE] [--no-cold] [--no-cold-off]\n' +
      '                          [--adapter lavapipe|swiftshader|lavapipe,swiftshader]',
  );
  process.exit(0);
}

const ENGINES: EngineName[] = ['kestrel', 'ort-web', 'ort-node'];
const HEAD: Record<EngineName, string> = {
  kestrel: 'Kestrel',
  'ort-web': 'ONNX Runtime Web 1.22 WebGPU',
  'ort-node': 'onnxruntime-node CPU (native)',
};
const log = (s: string) => process.stderr.write(`${s}\n`);
const students = args.models.split(',') as Student[];
for (const s of students) if (!(s in STUDENTS)) throw new Error(`unknown model '${s}' (det, rec, cls)`);

if (args.adapter !== undefined) {
  const kinds = parseAdapterList('--adapter', args.adapter);
  if (kinds.length > 1) {
    // one child per adapter; --json FILE becomes FILE.<adapter>.json
    const rest = withoutFlag(withoutFlag(process.argv.slice(2), 'adapter'), 'json');
    let failed = false;
    for (const kind of kinds) {
      const json = args.json ? ['--json', args.json.replace(/(\.json)?$/, `.${kind}.json`)] : [];
      const r = await runForAdapter(kind, [...rest, '--adapter', kind, ...json]);
      process.stdout.write(r.stdout);
      failed ||= r.code !== 0;
    }
    process.exit(failed ? 1 : 0);
  }
  // the cold-start children inherit it too
  process.env.KESTREL_ADAPTER = kinds[0];
}

installNavigatorGpu();
const probe = await createGpuContext();
const adapter = adapterName(probe);
probe.destroy();
const out: { student: Student; warm: EngineTiming[]; cold: ColdResult[] }[] = [];

for (const s of students) {
  log(`${STUDENTS[s].label}: warm latency, ${args.runs} interleaved runs per engine`);
  const warm = await interleaved(s, ENGINES, Number(args.runs), log);
  const cold: ColdResult[] = [];
  if (!args['no-cold']) {
    for (const e of ENGINES) {
      if (!args['no-cold-off']) {
        log(`  cold start ${e}, shader cache off ...`);
        cold.push(await coldStart(e, s, 'off', 300_000));
      }
      // the warm-latency runs above filled the driver cache (the cache-off child neither reads nor writes it)
      log(`  cold start ${e}, shader cache warm ...`);
      cold.push(await coldStart(e, s, 'warm', 300_000));
    }
  }
  out.push({ student: s, warm, cold });
}

const cell = (ms: number | null | undefined, err?: string) =>
  ms === null || ms === undefined ? (err ? `failed: ${err.slice(0, 60)}` : '—') : `${num(ms)} ms`;
const lines: string[] = [
  `# Whole-model comparison on ${adapter}`,
  '',
  `${new Date().toISOString()} · \`npm run compare${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\``,
  '',
];
for (const { student, warm, cold } of out) {
  const w = (e: EngineName) => warm.find((t) => t.engine === e)!;
  const c = (e: EngineName, cache: 'off' | 'warm') => cold.find((r) => r.engine === e && r.cache === cache);
  const cm = (e: EngineName, cache: 'off' | 'warm') => {
    const r = c(e, cache);
    return r?.ok ? (r.totalMs ?? null) : null;
  };
  const k = w('kestrel').ms,
    web = w('ort-web').ms,
    nat = w('ort-node').ms;
  const rows = [
    [
      'warm latency, median',
      cell(k, w('kestrel').error),
      cell(web, w('ort-web').error),
      cell(nat, w('ort-node').error),
      ratio(k && web ? web / k : null),
      ratio(k && nat ? k / nat : null),
      'ORT-web/Kestrel ≥ 5x; Kestrel/native ≤ 2x',
    ],
    ...(['off', 'warm'] as const).map((cache) => {
      const kc = cm('kestrel', cache),
        wc = cm('ort-web', cache),
        nc = cm('ort-node', cache);
      return [
        `cold start (bytes → first output), shader cache ${cache === 'off' ? 'off (MESA_SHADER_CACHE_DISABLE=true)' : 'warm'}`,
        cell(kc, c('kestrel', cache)?.error),
        cell(wc, c('ort-web', cache)?.error),
        cell(nc, c('ort-node', cache)?.error),
        ratio(kc && wc ? wc / kc : null),
        ratio(kc && nc ? kc / nc : null),
        cache === 'off' ? 'ORT-web/Kestrel ≥ 10x' : 'ORT-web/Kestrel > 1x',
      ];
    }),
  ];
  lines.push(
    `## ${STUDENTS[student].label}, f32`,
    '',
    mdTable(['what', ...ENGINES.map((e) => HEAD[e]), 'ORT-web / Kestrel', 'Kestrel / native', 'issue-6 target'], rows),
    '',
  );
  if (cold.length) lines.push('Cold-start parts:', '', coldTable(cold), '');
}
const md = lines.join('\n');
process.stdout.write(`${md}\n`);
if (args.json) {
  writeFileSync(
    args.json,
    JSON.stringify(
      {
        adapter,
        date: new Date().toISOString(),
        results: out.map((o) => ({ ...o, warm: o.warm.map(({ model: _m, ...t }) => t) })),
      },
      null,
      2,
    ),
  );
  log(`wrote ${args.json}`);
}
process.exit(0);
