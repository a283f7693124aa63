// `kestrel profile`: per-step GPU time of a model (like `trtexec --dumpProfile`), grouped by op, with
// GFLOP/s, GB/s and % of the adapter's measured ceiling; --html writes a page with the bar charts.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { HostTensor } from '../core/tensor.js';
import { loadModel } from '../onnx/load.js';
import { type Ceilings, adapterSlug, measureCeilings } from '../profile/ceilings.js';
import { ceilingsPath, loadCeilings, saveCeilings } from '../profile/ceilings-store.js';
import { profileJson, profileText } from '../profile/format.js';
import { profileHtml } from '../profile/html.js';
import { type Statistic, profileExecutor } from '../profile/profile.js';
import { adapterName } from '../runtime/device.js';
import { PipelineCache } from '../runtime/pipelines.js';
import { Session } from '../runtime/session.js';
import { UsageError } from './args.js';
import type { Command } from './command.js';
import {
  INPUT_FLAG,
  MODEL_FLAGS,
  TUNING_FLAG,
  checkInputNames,
  feedsFor,
  parsePasses,
  parseShapes,
  parseTuning,
  readInputs,
} from './model-args.js';
import { jsonOutput } from './output.js';

function whole(v: unknown, flag: string, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be a whole number >= ${min}`);
  return n;
}

export const profileCommand: Command = {
  name: 'profile',
  summary: 'per-step GPU time of a model: op, kernel variant, shapes, µs, GFLOP/s, GB/s, % of the adapter ceiling',
  usage:
    'profile MODEL [--shape NAME=1x3x320x320]... [--input NAME=FILE.npy]... [--iterations N] [--stat ' +
    'median|mean|min] [--top N] [--json FILE] [--html FILE]',
  args: {
    positionals: ['MODEL'],
    minPositionals: 1,
    flags: [
      INPUT_FLAG,
      ...MODEL_FLAGS,
      TUNING_FLAG,
      {
        name: 'iterations',
        type: 'string',
        valueName: 'N',
        summary: 'profiled runs; each figure is the median (default 10)',
      },
      {
        name: 'warmup',
        type: 'string',
        valueName: 'N',
        summary: 'untimed runs first; the first run compiles every pipeline (default 2)',
      },
      {
        name: 'stat',
        type: 'string',
        valueName: 'median|mean|min',
        summary:
          'per-step statistic over the runs (default median; mean adds up exactly, min is the noise-free estimate)',
      },
      {
        name: 'top',
        type: 'string',
        valueName: 'N',
        summary: 'print only the N slowest steps (the JSON and HTML keep all)',
      },
      { name: 'json', type: 'string', valueName: 'FILE', summary: 'write the full profile as JSON (- for stdout)' },
      {
        name: 'html',
        type: 'string',
        valueName: 'FILE',
        summary: 'write a self-contained HTML page with bar charts of where the time goes',
      },
      {
        name: 'ceilings',
        type: 'string',
        valueName: 'FILE',
        summary: 'adapter ceilings JSON (default results/<adapter>/ceilings.json, else measured now)',
      },
      {
        name: 'save-ceilings',
        type: 'boolean',
        summary: 'cache ceilings measured now in results/<adapter>/ceilings.json',
      },
      {
        name: 'no-timestamps',
        type: 'boolean',
        summary: 'skip timestamp queries: whole-run wall-clock only (the fallback for adapters without them)',
      },
    ],
  },
  async run(args, stdio) {
    const json = jsonOutput(args, stdio);
    const io = json.io;
    const iterations = whole(args.flags.iterations, 'iterations', 10, 1);
    const warmup = whole(args.flags.warmup, 'warmup', 2, 0);
    const top = args.flags.top === undefined ? undefined : whole(args.flags.top, 'top', 0, 1);
    const statistic = (args.flags.stat ?? 'median') as Statistic;
    if (!['median', 'mean', 'min'].includes(statistic)) throw new UsageError('--stat must be median, mean or min');
    const path = args.positionals[0];
    const t0 = performance.now();
    const model = await loadModel(path);
    const t1 = performance.now();
    checkInputNames(model.inputs, args);
    const feeds = feedsFor(model.inputs, readInputs(args), parseShapes(args));
    const shapes = new Map(Object.entries(feeds).map(([k, t]) => [k, t.shape]));
    const session = await Session.create(model, {
      shapes: Object.fromEntries(shapes),
      passes: parsePasses(args),
      tuning: parseTuning(args),
    });
    try {
      const plan = await session.plan(shapes);
      const tensors = new Map<string, HostTensor>(Object.entries(feeds));
      const t2 = performance.now();
      await plan.executor.run(tensors);
      const firstRunMs = performance.now() - t2;
      const ctx = session.ctx;
      const slug = adapterSlug(ctx);
      let ceilings: Ceilings | null;
      let source: string;
      if (args.flags.ceilings) {
        ceilings = JSON.parse(readFileSync(args.flags.ceilings as string, 'utf8')) as Ceilings;
        source = args.flags.ceilings as string;
      } else if ((ceilings = loadCeilings(slug))) {
        source = ceilingsPath(slug);
      } else {
        ceilings = await measureCeilings(ctx, new PipelineCache(ctx), { quick: true });
        source = args.flags['save-ceilings']
          ? `measured now, saved to ${saveCeilings(ceilings)}`
          : 'measured now (quick); `npm run bench` caches better ones';
      }
      const report = await profileExecutor(plan.executor, tensors, {
        iterations,
        warmup,
        statistic,
        ceilings,
        ceilingsSource: source,
        timestamps: !args.flags['no-timestamps'],
        title: `Kestrel profile: ${basename(path)}`,
        adapter: adapterName(ctx),
      });
      report.coldStart = {
        loadMs: t1 - t0,
        optimizeMs: plan.importMs,
        planMs: plan.createMs,
        pipelines: session.pipelineCount,
        firstRunMs,
        totalMs: t2 - t0 + firstRunMs,
      };
      io.out(profileText(report, { top }));
      const wrote = json.wanted ? json.write(profileJson(report)) : 'stdout';
      if (wrote !== 'stdout') io.out(`wrote ${wrote}`);
      if (args.flags.html) {
        writeFileSync(args.flags.html as string, profileHtml(report));
        io.out(`wrote ${args.flags.html}`);
      }
      return 0;
    } finally {
      session.release();
    }
  },
};
