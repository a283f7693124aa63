// `kestrel demo`: read road-sign text in camera frames with the PP-OCR students; print text, per-kernel latency,
// and write annotated frames. Also the accuracy table (--accuracy) and the infotainment web page (--serve).
import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { scoreFrame } from '../demo/accuracy.js';
import { annotate } from '../demo/draw.js';
import { cloneImage } from '../demo/image.js';
import { readImage, writeImage } from '../demo/io.js';
import { FRAME_SET_NAMES, type FrameSet } from '../demo/frames.js';
import { DEFAULT_PRECISION, PRECISIONS, type Precision } from '../demo/models.js';
import { ENGINES, type EngineName, accuracyRun, createPipeline, ensureModels, loadFrames } from '../demo/node.js';
import type { OcrResult } from '../demo/pipeline.js';
import { accuracyMarkdown, formatAccuracy, formatLatency, formatLines, formatStages } from '../demo/report.js';
import { REFERENCE_PACKAGE } from '../demo/reference.js';
import { startServer } from '../demo/server.js';
import { ensureStudents } from '../demo/students.js';
import type { TruthLine } from '../demo/truth.js';
import { UsageError } from './args.js';
import { type CliIo, type Command, EXIT_FAILURE, EXIT_OK } from './command.js';

function oneOf<T extends string>(value: unknown, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    const got = typeof value === 'string' ? value : JSON.stringify(value);
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${got}'`);
  }
  return value as T;
}

function outPath(out: string | undefined, frame: string, many: boolean): string {
  const name = `${basename(frame, extname(frame))}.annotated.png`;
  if (!out) return join('.cache', 'demo', name);
  if (/\.png$/i.test(out)) return many ? join(dirname(out), `${basename(out, '.png')}-${name}`) : out;
  return join(out, name);
}

function writeAnnotated(path: string, frame: string, result: OcrResult, engine: string, precision: string): void {
  const img = readImage(frame);
  const copy = cloneImage(img);
  const t = result.timing;
  annotate(
    copy,
    result.lines,
    `${engine} ${precision}  WALL ${t.wallMs.toFixed(0)} ` +
      `MS${t.gpuMs !== undefined ? `  GPU ${t.gpuMs.toFixed(1)} MS` : ''}`,
  );
  mkdirSync(dirname(path), { recursive: true });
  writeImage(path, copy);
}

async function accuracy(
  io: CliIo,
  engines: readonly EngineName[],
  precisions: readonly Precision[],
  sets: readonly FrameSet[],
  withReference: boolean,
  markdown: boolean,
): Promise<number> {
  const rows = [];
  const log = (line: string) => io.out(line);
  for (const set of sets) {
    const { frames } = loadFrames(set);
    const lines = frames.reduce((n, f) => n + f.lines.length, 0);
    io.out(
      `frame set '${set}': ${frames.length} frames, ${lines} sign lines; Kestrel and onnxruntime run one pipeline`,
    );
    const runs: [EngineName | 'reference', Precision][] = precisions.flatMap((p) =>
      engines.map((e): [EngineName, Precision] => [e, p]),
    );
    if (withReference) runs.push(['reference', 'f32']);
    for (const [engine, precision] of runs) {
      const run = await accuracyRun(engine, precision, set, { log });
      rows.push(run.row);
      const label = `${run.row.engine} ${precision}`;
      if (run.row.error) io.out(`  ${label}: ${run.row.error}`);
      for (const f of run.frames) {
        for (const l of f.score.lines.filter((x) => !x.exact))
          io.out(`  ${label} ${f.file}: expected ${JSON.stringify(l.truth)}, read ${JSON.stringify(l.read)}`);
        for (const e of f.score.extra) io.out(`  ${label} ${f.file}: extra line ${JSON.stringify(e)}`);
      }
      for (const f of run.frames) if (f.result) io.out(`  ${label} ${f.file}: ${formatStages(f.result)}`);
    }
  }
  io.out('');
  io.out((markdown ? accuracyMarkdown(rows).split('\n') : formatAccuracy(rows)).join('\n'));
  return rows.some((r) => r.summary) ? EXIT_OK : EXIT_FAILURE;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'read road-sign text in a camera frame (PP-OCR det + rec), print per-kernel latency, write an annotated PNG',
  usage:
    'demo [FRAME.png|.jpg] [--out annotated.png] [--precision f32|int8|int8-full] [--engine kestrel|onnxruntime] ' +
    '[--set signs|gaps|all] [--accuracy [--markdown]] [--build-models] [--serve]',
  args: {
    positionals: ['FRAME'],
    flags: [
      {
        name: 'out',
        short: 'o',
        type: 'string',
        valueName: 'FILE.png|DIR',
        summary: 'where to write the annotated frame(s) (default .cache/demo/)',
      },
      {
        name: 'precision',
        type: 'string',
        valueName: 'f32|int8|int8-full',
        summary:
          `model precision (default ${DEFAULT_PRECISION}; the int8 students are built on first use, int8-full ` +
          `by scripts/build-models.mjs --int8-full)`,
      },
      {
        name: 'engine',
        type: 'string',
        valueName: 'kestrel|onnxruntime',
        summary: 'run the networks on Kestrel (WebGPU, default) or onnxruntime-node (CPU)',
      },
      {
        name: 'top',
        type: 'string',
        valueName: 'N',
        summary: 'how many steps and kernels the latency summary lists (default 10)',
      },
      {
        name: 'set',
        type: 'string',
        valueName: 'signs|gaps|all',
        summary: 'which bundled frames (default signs; with --accuracy, all)',
      },
      {
        name: 'accuracy',
        type: 'boolean',
        summary: `score the bundled frames on both engines and precisions and on ${REFERENCE_PACKAGE}; print the table`,
      },
      {
        name: 'build-models',
        type: 'boolean',
        summary: 'build (again) the int8 students into .cache/models and print their accuracy check',
      },
      { name: 'markdown', type: 'boolean', summary: 'with --accuracy: print the table as Markdown' },
      {
        name: 'serve',
        type: 'boolean',
        summary: 'serve the infotainment web page (web/) with the browser bundle and models',
      },
      {
        name: 'port',
        type: 'string',
        valueName: 'N',
        summary: 'with --serve: the port (default 8080; 0 picks a free one)',
      },
    ],
  },
  async run(args, io) {
    const f = args.flags;
    const engine = oneOf(f.engine, ENGINES, '--engine', 'kestrel');
    const precision = oneOf(f.precision, PRECISIONS, '--precision', DEFAULT_PRECISION);
    const top = Number(f.top ?? 10);
    if (!Number.isInteger(top) || top < 1) throw new UsageError('--top must be a whole number >= 1');
    const setFlag = f.set === undefined ? undefined : oneOf(f.set, [...FRAME_SET_NAMES, 'all'], '--set', 'all');
    const sets: FrameSet[] = setFlag === 'all' ? FRAME_SET_NAMES : setFlag ? [setFlag] : [];
    const log = (line: string) => io.out(line);
    if (f['build-models']) {
      await ensureStudents({ force: true, log });
      return EXIT_OK;
    }
    if (f.serve) {
      const port = Number(f.port ?? 8080);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
      await ensureModels(DEFAULT_PRECISION, log);
      const server = await startServer({ port });
      io.out(`serving the Kestrel road-sign demo at ${server.url}  (Ctrl-C stops)`);
      await new Promise(() => undefined);
    }
    if (f.accuracy) {
      const engines = f.engine ? [engine] : ENGINES;
      const precisions = f.precision ? [precision] : PRECISIONS;
      return accuracy(io, engines, precisions, sets.length ? sets : FRAME_SET_NAMES, !f.engine, f.markdown === true);
    }

    if (sets.length > 1) throw new UsageError('--set all goes with --accuracy; pick signs or gaps to read frames');
    const bundled = loadFrames(sets[0] ?? 'signs');
    const given = args.positionals[0];
    const frames: { path: string; truth?: TruthLine[] }[] = given
      ? [{ path: given, truth: bundled.frames.find((b) => b.file === basename(given))?.lines }]
      : bundled.frames.map((b) => ({ path: join(bundled.dir, b.file), truth: b.lines }));
    const t0 = performance.now();
    const pipeline = await createPipeline(engine, precision, { log });
    const setupMs = performance.now() - t0;
    io.out(`kestrel demo: PP-OCRv4 det + rec (${precision}) on ${pipeline.engine.name}, ${pipeline.engine.device}`);
    io.out(`models loaded in ${setupMs.toFixed(0)} ms`);
    let last: OcrResult | undefined;
    try {
      for (const frame of frames) {
        const img = readImage(frame.path);
        let result = await pipeline.read(img, { profile: true });
        const cold = result.timing;
        // a single frame is read twice so the latency shown is a warm run; the first one built the plans
        if (frames.length === 1) result = await pipeline.read(img, { profile: true });
        const score = frame.truth ? scoreFrame(result.lines, frame.truth) : undefined;
        io.out('');
        const firstRead = frames.length === 1 ? `first read ${cold.wallMs.toFixed(0)} ms, ` : '';
        const building = cold.compileMs > 1 ? ` (${firstRead}building plans ${cold.compileMs.toFixed(0)} ms)` : '';
        io.out(
          `${basename(frame.path)} (${img.width}x${img.height}), det input ${result.detShape.slice(2).join('x')}: ` +
            `${result.lines.length} text line(s), ${result.timing.wallMs.toFixed(0)} ms${building}`,
        );
        io.out(formatLines(result, score).join('\n'));
        io.out(`  ${formatStages(result)}`);
        const out = outPath(f.out as string | undefined, frame.path, frames.length > 1);
        writeAnnotated(out, frame.path, result, pipeline.engine.name, precision);
        io.out(`  annotated: ${out}`);
        last = result;
      }
    } finally {
      pipeline.engine.release();
    }
    if (last) {
      io.out('');
      io.out(
        `per-kernel latency (${frames.length > 1 ? 'last frame' : 'warm run'}, ${pipeline.engine.name} on ` +
          `${pipeline.engine.device}):`,
      );
      io.out(formatLatency(last, top).join('\n'));
    }
    return EXIT_OK;
  },
};
