// `kestrel run`: run a model on .npy (or seeded random) inputs, write outputs, report cold start and latency.
import { mkdirSync, writeFileSync } from 'node:fs';
import { jsonOutput } from './output.js';
import { join } from 'node:path';
import { adapterName } from '../runtime/device.js';
import { Session } from '../runtime/session.js';
import { sanitizeName, toNpy } from '../io/npy.js';
import type { Command } from './command.js';
import {
  INPUT_FLAG,
  MODEL_FLAGS,
  checkInputNames,
  feedsFor,
  parsePasses,
  parseShapes,
  readInputs,
} from './model-args.js';
import { loadModel } from '../onnx/load.js';
import { UsageError } from './args.js';
import { median } from '../core/stats.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run a model on .npy inputs; write outputs as .npy; report cold start and latency',
  usage:
    'run MODEL [--input NAME=FILE.npy]... [--shape NAME=1x3x320x320]... [--out DIR] [--iterations N] [--json FILE|-]',
  args: {
    positionals: ['MODEL'],
    minPositionals: 1,
    flags: [
      INPUT_FLAG,
      ...MODEL_FLAGS,
      { name: 'out', type: 'string', valueName: 'DIR', summary: 'write each output as DIR/<sanitized name>.npy' },
      { name: 'iterations', type: 'string', valueName: 'N', summary: 'warm runs after the first (default 10)' },
      {
        name: 'json',
        type: 'string',
        valueName: 'FILE',
        summary: 'write adapter, cold_start_ms, latency_ms, outputs (- for stdout)',
      },
      { name: 'check-finite', type: 'boolean', summary: 'count NaN/Inf in each output (exit 1 if any)' },
    ],
  },
  async run(args, stdio) {
    const json = jsonOutput(args, stdio);
    const io = json.io;
    const iterations = Number(args.flags.iterations ?? 10);
    if (!Number.isInteger(iterations) || iterations < 0)
      throw new UsageError('--iterations must be a whole number >= 0');
    const t0 = performance.now();
    const model = await loadModel(args.positionals[0]);
    checkInputNames(model.inputs, args);
    const given = readInputs(args);
    const feeds = feedsFor(model.inputs, given, parseShapes(args));
    const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape]));
    const session = await Session.create(model, { shapes, passes: parsePasses(args) });
    try {
      const firstRun = await session.runDetailed(feeds, { countNonFinite: !!args.flags['check-finite'] });
      const first = Object.fromEntries(firstRun.outputs);
      const coldStart = performance.now() - t0;
      const times: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t = performance.now();
        await session.run(feeds);
        times.push(performance.now() - t);
      }
      const outDir = args.flags.out as string | undefined;
      if (outDir) mkdirSync(outDir, { recursive: true });
      for (const [name, t] of Object.entries(first)) {
        const nf = firstRun.nonFinite?.[name];
        io.out(`${name}: ${t.dtype}[${t.shape.join(',')}]${nf !== undefined ? `  NaN/Inf: ${nf}` : ''}`);
        if (outDir) writeFileSync(join(outDir, `${sanitizeName(name)}.npy`), toNpy(t));
      }
      const latency = { median: median(times), min: Math.min(...times), max: Math.max(...times) };
      io.out(`adapter: ${adapterName(session.ctx)}`);
      io.out(`cold start: ${coldStart.toFixed(1)} ms (load + optimize + pipelines + first run)`);
      if (iterations)
        io.out(
          `latency: median ${latency.median.toFixed(2)} ms, min ${latency.min.toFixed(2)}, max ` +
            `${latency.max.toFixed(2)} over ${iterations} runs`,
        );
      if (json.wanted) {
        json.write(
          JSON.stringify(
            {
              adapter: adapterName(session.ctx),
              cold_start_ms: coldStart,
              latency_ms: iterations ? latency : null,
              iterations,
              outputs: Object.fromEntries(Object.entries(first).map(([k, t]) => [k, t.shape])),
            },
            null,
            2,
          ),
        );
      }
      const bad = Object.values(firstRun.nonFinite ?? {}).reduce((a, b) => a + b, 0);
      return bad ? 1 : 0;
    } finally {
      session.release();
    }
  },
};
