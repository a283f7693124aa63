// `kestrel parity`: our outputs (or every layer) against onnxruntime-node or stored .npy tensors.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../core/tensor.js';
import { parseNpy, sanitizeName } from '../io/npy.js';
import { loadModel } from '../onnx/load.js';
import { type CloseCheck, allclose, diff } from '../parity/metrics.js';
import { runOnnxruntime } from '../parity/ort.js';
import { bisectParity, ortAllValues, perLayerParity } from '../parity/per-layer.js';
import { reportHtml, reportJson } from '../parity/report.js';
import { precisionSweep } from '../parity/sweep.js';
import { createGpuContext } from '../runtime/device.js';
import { Session } from '../runtime/session.js';
import { UsageError } from './args.js';
import type { CliIo, Command } from './command.js';
import {
  INPUT_FLAG,
  MODEL_FLAGS,
  checkInputNames,
  feedsFor,
  parsePasses,
  parseShapes,
  readInputs,
} from './model-args.js';
import { jsonOutput } from './output.js';

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
    'parity MODEL [--input NAME=FILE.npy]... (--expected NAME=FILE.npy... | --expected-dir DIR | --against ' +
    'onnxruntime) [--tolerance REL_L2] [--atol A] [--rtol R] [--per-layer [--fail-fast] | --bisect] [--json FILE] ' +
    '[--html FILE] | parity MODEL --sweep',
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
      {
        name: 'atol',
        type: 'string',
        valueName: 'A',
        summary: 'per-element check |ours-ref| <= atol + rtol*|ref| (numpy.allclose; atol default 1e-8)',
      },
      {
        name: 'rtol',
        type: 'string',
        valueName: 'R',
        summary: 'relative part of the per-element check (default 1e-5)',
      },
      { name: 'per-layer', type: 'boolean', summary: 'compare every value both sides produce, in topological order' },
      { name: 'fail-fast', type: 'boolean', summary: 'with --per-layer: stop at the first value over tolerance' },
      { name: 'bisect', type: 'boolean', summary: 'binary-search the plan for the first diverging step' },
      {
        name: 'sweep',
        type: 'boolean',
        summary:
          "run f32, fp16, int8 and int4 variants; print each one's error against f32 and its first layer over " +
          '--tolerance (default 1e-2 here)',
      },
      { name: 'json', type: 'string', valueName: 'FILE', summary: 'write the report as JSON (- for stdout)' },
      {
        name: 'html',
        type: 'string',
        valueName: 'FILE',
        summary: 'write an HTML report with the error-vs-depth chart',
      },
    ],
  },
  async run(args, stdio) {
    const json = jsonOutput(args, stdio);
    const io = json.io;
    const tolerance = Number(args.flags.tolerance ?? 1e-4);
    if (!(tolerance >= 0)) throw new UsageError('--tolerance must be a number >= 0');
    const close = closeArgs(args);
    if (close && args.flags.sweep) throw new UsageError('--atol/--rtol check final outputs; --sweep uses --tolerance');
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
    if (close && layered)
      throw new UsageError('--atol/--rtol check final outputs; --per-layer and --bisect use --tolerance');
    const path = args.positionals[0];
    const model = await loadModel(path);
    checkInputNames(model.inputs, args);
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
          `first diverging step: ${b.step} (value ${b.value}), rel L2 ${fmt(b.diff!.relL2)}, max abs ` +
            `${fmt(b.diff!.maxAbs)}`,
        );
        if (json.wanted) json.write(JSON.stringify({ model: path, tolerance, ...b }, null, 2));
        return 1;
      }
      const r = await perLayerParity(model, feeds, ref, { tolerance, failFast: !!args.flags['fail-fast'], session });
      printLayers(io, r.rows, r.firstBad);
      if (json.wanted) json.write(reportJson(r, { model: path }));
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
      // relative L2 applies unless only --atol/--rtol were given
      const useL2 = !close || args.flags.tolerance !== undefined;
      let failed = false;
      const rows: Record<string, unknown>[] = [];
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
          rows.push({ name, ok: false, shape: mine.shape, expectedShape: ref.shape });
          failed = true;
          continue;
        }
        const d = diff(mine, ref);
        const c = close ? allclose(mine, ref, close.atol, close.rtol) : null;
        const ok = (!useL2 || (d.relL2 <= tolerance && d.nanInf === 0)) && (c?.ok ?? true);
        failed ||= !ok;
        io.out(
          `${name.padEnd(28)} ${fmt(d.relL2).padStart(10)} ${fmt(d.maxAbs).padStart(10)} ` +
            `${String(d.nanInf).padStart(8)}  ${ok ? 'ok' : 'FAIL'}`,
        );
        if (c) io.out(`  ${closeLine(c, mine.shape, close!)}`);
        rows.push({
          name,
          ok,
          relL2: d.relL2,
          maxAbs: d.maxAbs,
          nanInf: d.nanInf,
          ...(c ? { allclose: worstJson(c, mine.shape) } : {}),
        });
      }
      const criteria = [useL2 ? `rel L2 ${tolerance}` : '', close ? `atol ${close.atol}, rtol ${close.rtol}` : '']
        .filter(Boolean)
        .join(' and ');
      io.out(failed ? `mismatch (${criteria})` : `all outputs within ${criteria}`);
      if (json.wanted)
        json.write(
          JSON.stringify(
            {
              model: path,
              tolerance: useL2 ? tolerance : null,
              atol: close?.atol ?? null,
              rtol: close?.rtol ?? null,
              ok: !failed,
              outputs: rows,
            },
            null,
            2,
          ),
        );
      return failed ? 1 : 0;
    } finally {
      s.release();
    }
  },
};

/** --atol/--rtol, numpy.allclose's defaults for the one not given; null when neither was. */
function closeArgs(args: import('./args.js').ParsedArgs): { atol: number; rtol: number } | null {
  if (args.flags.atol === undefined && args.flags.rtol === undefined) return null;
  const atol = Number(args.flags.atol ?? 1e-8);
  const rtol = Number(args.flags.rtol ?? 1e-5);
  if (!(atol >= 0) || !(rtol >= 0)) throw new UsageError('--atol and --rtol must be numbers >= 0');
  return { atol, rtol };
}

/** A value at f32's precision (7 significant digits), for reading. */
const f32 = (v: number) => Number(v.toPrecision(7));

/** A flat index as [i, j, ...] in `shape`. */
function unravel(index: number, shape: number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    out[k] = index % shape[k];
    index = Math.floor(index / shape[k]);
  }
  return out;
}

function worstJson(c: CloseCheck, shape: number[]): Record<string, unknown> {
  const w = c.worst;
  return { ok: c.ok, violations: c.violations, worst: w ? { ...w, at: unravel(w.index, shape) } : null };
}

function closeLine(c: CloseCheck, shape: number[], tol: { atol: number; rtol: number }): string {
  const w = c.worst;
  if (!w) return `allclose: size mismatch`;
  const at = `[${unravel(w.index, shape).join(',')}]`;
  return (
    `allclose(atol ${tol.atol}, rtol ${tol.rtol}): ${c.violations} element(s) over; worst at ${at} (flat ` +
    `${w.index}): ours ${f32(w.ours)}, expected ${f32(w.ref)}, |diff| ${fmt(w.absDiff)} ` +
    `${w.absDiff <= w.bound ? '<=' : '>'} bound ${fmt(w.bound)}`
  );
}

function printLayers(io: CliIo, rows: import('../parity/per-layer.js').LayerRow[], firstBad: unknown): void {
  io.out(
    `${'#'.padStart(4)} ${'value'.padEnd(34)} ${'node'.padEnd(28)} ${'op'.padEnd(18)} ${'rel L2'.padStart(10)} ` +
      `${'max abs'.padStart(10)} NaN/Inf`,
  );
  for (const r of rows) {
    const mark = r === firstBad ? '  <== first over tolerance' : r.ok === false ? '  !' : '';
    const cols = r.diff
      ? `${fmt(r.diff.relL2).padStart(10)} ${fmt(r.diff.maxAbs).padStart(10)} ${r.diff.nanInf}`
      : `${r.status}${r.status === 'fused' && r.step ? ` into ${r.step}` : ''}`;
    io.out(
      `${String(r.depth).padStart(4)} ${r.value.slice(0, 34).padEnd(34)} ${r.node.slice(0, 28).padEnd(28)} ` +
        `${r.op.padEnd(18)} ${cols}${mark}`,
    );
  }
  const compared = rows.filter((r) => r.diff).length;
  io.out(
    `${compared} values compared, ${rows.filter((r) => r.status === 'fused').length} fused into other steps, ` +
      `${rows.filter((r) => r.status === 'folded').length} folded at import`,
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
      `${'variant'.padEnd(34)} ${'weights'.padStart(10)} ${'out rel L2'.padStart(11)} ${'cosine'.padStart(9)}  first ` +
        `layer over ${tolerance}`,
    );
    for (const r of rows) {
      const w = r.weightBytes ? `${(r.weightBytes / 1048576).toFixed(2)} MiB` : '';
      if (!r.output) {
        io.out(`${r.variant.padEnd(34)} ${w.padStart(10)} ${''.padStart(11)} ${''.padStart(9)}  ${r.note ?? ''}`);
        continue;
      }
      const first = r.firstOver ? `${r.firstOver.value} (${fmt(r.firstOver.relL2)})` : 'none';
      io.out(
        `${r.variant.padEnd(34)} ${w.padStart(10)} ${fmt(r.output.relL2).padStart(11)} ` +
          `${r.output.cosine.toFixed(5).padStart(9)}  ${first}`,
      );
    }
    return 0;
  } finally {
    ctx.destroy();
  }
}
