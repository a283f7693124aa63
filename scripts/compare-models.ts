// Whole-model comparison for issue 6: `npm run compare [-- --models det,rec,cls] [--runs N] [--json FILE]`.
// Kestrel vs ONNX Runtime Web 1.22 (WebGPU, same adapter) vs onnxruntime-node (native CPU): warm median
// latency from interleaved runs in one process, and cold start in fresh processes with the driver's shader
// cache off (MESA_SHADER_CACHE_DISABLE=true) and warm. Prints the issue-6 table with ratios per model.
// `--adapter lavapipe|swiftshader` picks the adapter (KESTREL_ADAPTER); a list (`lavapipe,swiftshader`) runs
// the whole comparison once per adapter, each in its own process, and prints the tables side by side.
// `--browser`: Kestrel's browser bundle vs ONNX Runtime Web (latest) in headless Chromium (kernels-bench/browser-compare.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ColdResult, coldStart } from '../kernels-bench/cold.js';
import { coldTable } from '../kernels-bench/report.js';
import { type EngineName, STUDENTS, type Student } from '../kernels-bench/models.js';
import { type EngineTiming, interleaved } from '../kernels-bench/run-models.js';
import { adapterName, createGpuContext } from '../src/runtime/device.js';
import { installNavigatorGpu } from '../kernels-bench/gpu.js';
import { parseAdapterList, runForAdapter, withoutFlag } from '../kernels-bench/adapters.js';
import { mdTable, num, ratio } from '../src/profile/table.js';
import { browserCompare, browserTable } from '../kernels-bench/browser-compare.js';
import { type AdapterRun, type CompareJson, sideBySide } from '../kernels-bench/compare-side.js';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'det,rec,cls' },
    runs: { type: 'string' },
    json: { type: 'string' },
    'no-cold': { type: 'boolean', default: false },
    'no-cold-off': { type: 'boolean', default: false },
    adapter: { type: 'string' },
    adapters: { type: 'string' },
    browser: { type: 'boolean', default: false },
    bundle: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(
    'usage: npm run compare -- [--models det,rec,cls] [--runs N] [--json FILE] [--no-cold] [--no-cold-off]\n' +
      '                          [--adapter(s) lavapipe|swiftshader|lavapipe,swiftshader]\n' +
      '       npm run compare -- --browser [--models det,rec,cls] [--runs N] [--json FILE] [--no-cold]\n' +
      '                          [--bundle FILE (Kestrel browser bundle; default dist/kestrel.browser.mjs)]',
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
const runs = Number(args.runs ?? (args.browser ? '5' : '10'));
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a positive integer, got '${args.runs}'`);
if (args.adapter !== undefined && args.adapters !== undefined)
  throw new Error('give --adapter or --adapters, not both');
const adapterFlag = args.adapters !== undefined ? 'adapters' : 'adapter';
const adapterList = args.adapters ?? args.adapter;

if (args.bundle !== undefined && !args.browser) throw new Error('--bundle: only with --browser');
if (args.browser) {
  if (adapterList !== undefined)
    throw new Error(`--${adapterFlag}: Chromium picks its own adapter; not with --browser`);
  if (args['no-cold-off']) throw new Error('--no-cold-off: the driver cache switch is for Node; not with --browser');
  const r = await browserCompare({ models: students, runs, cold: !args['no-cold'], bundle: args.bundle, log });
  process.stdout.write(
    `# Kestrel vs ONNX Runtime Web in Chromium\n\n${new Date().toISOString()} · \`npm run compare -- ${process.argv.slice(2).join(' ')}\`\n\n${browserTable(r)}\n`,
  );
  if (args.json) writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), ...r }, null, 2));
  process.exit(0);
}

if (adapterList !== undefined) {
  const kinds = parseAdapterList(`--${adapterFlag}`, adapterList);
  if (kinds.length > 1) {
    // one child per adapter; --json FILE becomes FILE.<adapter>.json
    const rest = withoutFlag(withoutFlag(process.argv.slice(2), adapterFlag), 'json');
    let failed = false;
    const outs: AdapterRun[] = [];
    const tmp = mkdtempSync(join(tmpdir(), 'kestrel-compare-'));
    for (const kind of kinds) {
      const json = args.json ? args.json.replace(/(\.json)?$/, `.${kind}.json`) : join(tmp, `${kind}.json`);
      const r = await runForAdapter(kind, [...rest, '--adapter', kind, '--json', json]);
      outs.push({ ...r, json: existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as CompareJson) : null });
      failed ||= r.code !== 0;
    }
    rmSync(tmp, { recursive: true, force: true });
    process.stdout.write(sideBySide(outs));
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
  const warm = await interleaved(s, ENGINES, runs, log);
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
