// `kestrel parity`: our outputs (or every layer) against onnxruntime-node or stored .npy tensors.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../core/tensor.js';
import { parseNpy, sanitizeName } from '../io/npy.js';
import { loadModel } from '../onnx/load.js';
import { diff } from '../parity/metrics.js';
import { runOnnxruntime } from '../parity/ort.js';
import { bisectParity, ortAllValues, perLayerParity } from '../parity/per-layer.js';
import { reportHtml, reportJson } from '../parity/report.js';
import { precisionSweep } from '../parity/sweep.js';
import { createGpuContext } from '../runtime/device.js';
import { Session } from '../runtime/session.js';
import { UsageError } from './args.js';
import type { CliIo, Command } from './command.js';
import { INPUT_FLAG, MODEL_FLAGS, feedsFor, parsePasses, parseShapes, readInputs } from './model-args.js';

/** Expected tensors from a folder of .npy files named by sanitized tensor name. */
function readExpectedDir(dir: string, names: string[]): Record<string, HostTensor> {
  if (!existsSync(dir)) throw new UsageError(`--expected-dir ${dir} does not exist`);
  const files = new Set(readdirSync(dir));
  const out: Record<string, HostTensor> = {};
  for (const n of names) {
    const f = `${sanitizeName(n)}.npy`;
    if (files.has(f)) out[n] = parseNpy(new Uint8Array(readFileSync(join(dir, f))), join(dir, f));
  }
  return out;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}

export const parityCommand: Command = {
  name: 'parity',
  summary: 'compare outputs (or every layer) with onnxruntime-node or .npy references; exit 0 ok, 1 mismatch, 2 error',
  usage:
    'parity MODEL [--input NAME=FILE.npy]... (--expected NAME=FILE.npy... | --expected-dir DIR | --against onnxruntime) [--tolerance REL_L2] [--per-layer [--fail-fast] | --bisect] [--json FILE] [--html FILE] | parity MODEL --sweep',
  args: {
    positionals: ['MODEL'],
    minPositionals: 1,
    flags: [
      INPUT_FLAG,
      ...MODEL_FLAGS,
      { name: 'expected', type: 'string', repeat: true, valueName: 'NAME=FILE.npy', summary: 'expected output tensor' },
      {
        name: 'expected-dir',
        type: 'string',
        valueName: 'DIR',
        summary: 'folder of expected .npy tensors named by (sanitized) value name',
      },
      { name: 'against', type: 'string', valueName: 'onnxruntime', summary: 'reference engine' },
      { name: 'tolerance', type: 'string', valueName: 'REL_L2', summary: 'relative L2 tolerance (default 1e-4)' },
      { name: 'per-layer', type: 'boolean', summary: 'compare every value both sides produce, in topological order' },
      { name: 'fail-fast', type: 'boolean', summary: 'with --per-layer: stop at the first value over tolerance' },
      { name: 'bisect', type: 'boolean', summary: 'binary-search the plan for the first diverging step' },
      {
        name: 'sweep',
        type: 'boolean',
        summary:
          "run f32, fp16, int8 and int4 variants; print each one's error against f32 and its first layer over --tolerance (default 1e-2 here)",
      },
      { name: 'json', type: 'string', valueName: 'FILE', summary: 'write the report as JSON' },
      {
        name: 'html',
        type: 'string',
        valueName: 'FILE',
        summary: 'write an HTML report with the error-vs-depth chart',
      },
    ],
  },
  async run(args, io) {
    const tolerance = Number(args.flags.tolerance ?? 1e-4);
    if (!(tolerance >= 0)) throw new UsageError('--tolerance must be a number >= 0');
    if (args.flags.sweep) return sweep(args, io);
    const against = args.flags.against as string | undefined;
    const expectedFiles = args.flags.expected as string[];
    const expectedDir = args.flags['expected-dir'] as string | undefined;
    if (against && against !== 'onnxruntime') throw new UsageError(`--against supports only 'onnxruntime'`);
    if ([!!against, expectedFiles.length > 0, !!expectedDir].filter(Boolean).length !== 1)
      throw new UsageError(
        'give exactly one of --expected NAME=FILE.npy..., --expected-dir DIR or --against onnxruntime',
      );
    const layered = !!args.flags['per-layer'] || !!args.flags.bisect;
    if (layered && expectedFiles.length)
      throw new UsageError('--per-layer/--bisect need --against onnxruntime or --expected-dir');
    const path = args.positionals[0];
    const model = await loadModel(path);
    const fromDir = expectedDir
      ? readExpectedDir(
          expectedDir,
          model.inputs.map((i) => i.name),
        )
      : {};
    const feeds = feedsFor(model.inputs, { ...fromDir, ...readInputs(args) }, parseShapes(args));
    const bytes = new Uint8Array(readFileSync(path));
    const session = { passes: parsePasses(args) };

    if (layered) {
      const allNames = model.graph.node.flatMap((n) => n.output).filter(Boolean);
      const ref = against ? await ortAllValues(bytes, feeds) : readExpectedDir(expectedDir!, allNames);
      if (args.flags.bisect) {
        const b = await bisectParity(model, feeds, ref, { tolerance, session });
        io.out(`bisect over ${b.candidates} steps, ${b.probes} probes`);
        if (!b.step) {
          io.out(`no step over tolerance ${tolerance}`);
          return 0;
        }
        io.out(
          `first diverging step: ${b.step} (value ${b.value}), rel L2 ${fmt(b.diff!.relL2)}, max abs ${fmt(b.diff!.maxAbs)}`,
        );
        if (args.flags.json)
          writeFileSync(args.flags.json as string, JSON.stringify({ model: path, tolerance, ...b }, null, 2));
        return 1;
      }
      const r = await perLayerParity(model, feeds, ref, { tolerance, failFast: !!args.flags['fail-fast'], session });
      printLayers(io, r.rows, r.firstBad);
      if (args.flags.json) writeFileSync(args.flags.json as string, reportJson(r, { model: path }));
      if (args.flags.html) writeFileSync(args.flags.html as string, reportHtml(r, `Kestrel per-layer parity: ${path}`));
      return r.firstBad ? 1 : 0;
    }

    const expected = against
      ? await runOnnxruntime(bytes, feeds)
      : expectedDir
        ? readExpectedDir(
            expectedDir,
            model.outputs.map((o) => o.name),
          )
        : readInputs(args, 'expected');
    if (Object.keys(expected).length === 0) throw new UsageError('no expected tensors found');
    const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape]));
    const s = await Session.create(model, { shapes, ...session });
    try {
      const ours = await s.run(feeds);
      let failed = false;
      io.out(
        `${'output'.padEnd(28)} ${'rel L2'.padStart(10)} ${'max abs'.padStart(10)} ${'NaN/Inf'.padStart(8)}  result`,
      );
      for (const [name, ref] of Object.entries(expected)) {
        const mine = ours[name];
        if (!mine)
          throw new UsageError(
            `expected output '${name}' is not an output of the model (${Object.keys(ours).join(', ')})`,
          );
        if (mine.shape.join(',') !== ref.shape.join(',')) {
          io.out(`${name.padEnd(28)} shape [${mine.shape}] vs expected [${ref.shape}]  FAIL`);
          failed = true;
          continue;
        }
        const d = diff(mine, ref);
        const ok = d.relL2 <= tolerance && d.nanInf === 0;
        failed ||= !ok;
        io.out(
          `${name.padEnd(28)} ${fmt(d.relL2).padStart(10)} ${fmt(d.maxAbs).padStart(10)} ${String(d.nanInf).padStart(8)}  ${ok ? 'ok' : 'FAIL'}`,
        );
      }
      io.out(failed ? `mismatch (tolerance ${tolerance})` : `all outputs within tolerance ${tolerance}`);
      return failed ? 1 : 0;
    } finally {
      s.release();
    }
  },
};

function printLayers(io: CliIo, rows: import('../parity/per-layer.js').LayerRow[], firstBad: unknown): void {
  io.out(
    `${'#'.padStart(4)} ${'value'.padEnd(34)} ${'node'.padEnd(28)} ${'op'.padEnd(18)} ${'rel L2'.padStart(10)} ${'max abs'.padStart(10)} NaN/Inf`,
  );
  for (const r of rows) {
    const mark = r === firstBad ? '  <== first over tolerance' : r.ok === false ? '  !' : '';
    const cols = r.diff
      ? `${fmt(r.diff.relL2).padStart(10)} ${fmt(r.diff.maxAbs).padStart(10)} ${r.diff.nanInf}`
      : `${r.status}${r.status === 'fused' && r.step ? ` into ${r.step}` : ''}`;
    io.out(
      `${String(r.depth).padStart(4)} ${r.value.slice(0, 34).padEnd(34)} ${r.node.slice(0, 28).padEnd(28)} ${r.op.padEnd(18)} ${cols}${mark}`,
    );
  }
  const compared = rows.filter((r) => r.diff).length;
  io.out(
    `${compared} values compared, ${rows.filter((r) => r.status === 'fused').length} fused into other steps, ${rows.filter((r) => r.status === 'folded').length} folded at import`,
  );
}

async function sweep(args: import('./args.js').ParsedArgs, io: CliIo): Promise<number> {
  const tolerance = Number(args.flags.tolerance ?? 1e-2);
  const path = args.positionals[0];
  const bytes = new Uint8Array(readFileSync(path));
  const model = await loadModel(path);
  const feeds = feedsFor(model.inputs, readInputs(args), parseShapes(args));
  const ctx = await createGpuContext();
  try {
    const rows = await precisionSweep(bytes, feeds, { tolerance, context: ctx });
    io.out(
      `${'variant'.padEnd(34)} ${'weights'.padStart(10)} ${'out rel L2'.padStart(11)} ${'cosine'.padStart(9)}  first layer over ${tolerance}`,
    );
    for (const r of rows) {
      const w = r.weightBytes ? `${(r.weightBytes / 1048576).toFixed(2)} MiB` : '';
      if (!r.output) {
        io.out(`${r.variant.padEnd(34)} ${w.padStart(10)} ${''.padStart(11)} ${''.padStart(9)}  ${r.note ?? ''}`);
        continue;
      }
      const first = r.firstOver ? `${r.firstOver.value} (${fmt(r.firstOver.relL2)})` : 'none';
      io.out(
        `${r.variant.padEnd(34)} ${w.padStart(10)} ${fmt(r.output.relL2).padStart(11)} ${r.output.cosine.toFixed(5).padStart(9)}  ${first}`,
      );
    }
    return 0;
  } finally {
    ctx.destroy();
  }
}
