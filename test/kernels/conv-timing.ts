// One-off conv timing (not a unit test): npx tsx test/kernels/conv-timing.ts   [ONLY=label REPS=n CFGS=...]
// Prints, per shape, the GPU time (timestamp queries; min and median of REPS runs), GFLOP/s from the
// min, and the median process CPU time per run (lavapipe's threads are in-process, and CPU time is
// steadier than wall time when other work shares the two cores).
import {
  type ConvAttrs,
  type ConvTransposeAttrs,
  type Graph,
  type Node,
  type Value,
  makeNode,
} from '../../src/ir/graph.js';
import { inferNode } from '../../src/ir/infer-shapes.js';
import { createGpuContext } from '../../src/runtime/device.js';
import { Executor } from '../../src/runtime/executor.js';
import { PipelineCache } from '../../src/runtime/pipelines.js';
import { randomTensor } from '../util.js';
import { type ConvKnobs, DEFAULT_KNOBS, withKnobs } from '../../src/kernels/knobs.js';
import { shippedTuning } from '../../src/runtime/tuning/lookup.js';

const REPS = Number(process.env.REPS ?? 5);
const CASES: {
  label: string;
  op: 'conv' | 'convTranspose';
  x: number[];
  w: number[];
  attrs: ConvAttrs | ConvTransposeAttrs;
}[] = [
  {
    label: '3x3 32->64 @160',
    op: 'conv',
    x: [1, 32, 160, 160],
    w: [64, 32, 3, 3],
    attrs: { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 },
  },
  {
    label: '1x1 64->64 @80',
    op: 'conv',
    x: [1, 64, 80, 80],
    w: [64, 64, 1, 1],
    attrs: { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 },
  },
  {
    label: 'dw3x3 64 @80',
    op: 'conv',
    x: [1, 64, 80, 80],
    w: [64, 1, 3, 3],
    attrs: { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 64 },
  },
  {
    label: 'dw5x5 s2 96 @80',
    op: 'conv',
    x: [1, 96, 80, 80],
    w: [96, 1, 5, 5],
    attrs: { strides: [2, 2], pads: [2, 2, 2, 2], dilations: [1, 1], group: 96 },
  },
  {
    label: '3x3 s2 3->16 @320',
    op: 'conv',
    x: [1, 3, 320, 320],
    w: [16, 3, 3, 3],
    attrs: { strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 },
  },
  {
    label: 'convT k2s2 64->16 @40',
    op: 'convTranspose',
    x: [1, 64, 40, 40],
    w: [64, 16, 2, 2],
    attrs: { strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, outputPadding: [0, 0] },
  },
];

const only = process.env.ONLY;
// CFGS="tm=8,tn=8;tm=16,tn=4" interleaves conv knob settings (src/kernels/knobs.ts) within one process (min of REPS runs).
const cfgs = (process.env.CFGS ?? '')
  .split(';')
  .filter(Boolean)
  .map((c) => c.split(','));
/** key=value pairs over the defaults, e.g. tm=8,tn=8,wg=64,noSubgroups=1; an unknown key is an error. */
function convKnobs(cfg: string[]): Partial<ConvKnobs> {
  const knobs: Record<string, number | boolean> = {};
  for (const kv of cfg) {
    const [k, v] = kv.split('=');
    const known = (DEFAULT_KNOBS.conv as unknown as Record<string, number | boolean>)[k];
    if (known === undefined) throw new Error(`CFGS: unknown conv knob '${k}' (${Object.keys(DEFAULT_KNOBS.conv)})`);
    knobs[k] = typeof known === 'boolean' ? v === '1' : Number(v);
  }
  return knobs;
}

const ctx = await createGpuContext();
const cache = new PipelineCache(ctx);
for (const c of CASES) {
  if (only && !c.label.includes(only)) continue;
  const x = randomTensor(c.x, 1);
  const w = randomTensor(c.w, 2);
  const values = new Map<string, Value>([
    ['x', { name: 'x', shape: c.x, dtype: 'f32' }],
    ['w', { name: 'w', shape: c.w, dtype: 'f32', data: w }],
  ]);
  const base = { name: c.label, inputs: ['x', 'w'], outputs: ['y'], origin: [] };
  const node: Node =
    c.op === 'conv' ? makeNode('conv', c.attrs, base) : makeNode('convTranspose', c.attrs as ConvTransposeAttrs, base);
  const [info] = inferNode(node, [values.get('x'), values.get('w')]);
  values.set('y', { name: 'y', ...info });
  const graph: Graph = { values, nodes: [node], inputs: ['x'], outputs: ['y'] };
  const feeds = new Map([['x', x]]);
  const runs = cfgs.length ? cfgs : [[]];
  const exs: Executor[] = [];
  for (const cfg of runs) {
    const ex = await Executor.create(ctx, cache, graph, {
      tuning: withKnobs(shippedTuning(ctx), { conv: convKnobs(cfg) }),
    });
    await ex.run(feeds);
    exs.push(ex);
  }
  const times: number[][] = exs.map(() => []);
  // CPU time of the process (lavapipe's threads included) is steadier than wall time on a busy machine
  const cpu: number[][] = exs.map(() => []);
  for (let r = 0; r < REPS; r++) {
    for (let e = 0; e < exs.length; e++) {
      const c0 = process.cpuUsage();
      const res = await exs[e].run(feeds, true);
      const c1 = process.cpuUsage(c0);
      times[e].push(res.timings!.reduce((a, t) => a + t.gpuMs, 0));
      cpu[e].push((c1.user + c1.system) / 1000);
    }
  }
  exs.forEach((ex, e) => {
    const t = times[e].sort((a, b) => a - b);
    // the minimum is the least disturbed by other processes on this shared machine
    const ms = t[0];
    const flops = ex.steps.reduce((s, st) => s + (st.call.flops ?? 0), 0);
    const cpuMs = cpu[e].sort((a, b) => a - b)[cpu[e].length >> 1];
    console.log(
      `${c.label.padEnd(24)} ${(runs[e] ?? []).join(',').padEnd(34)} ${ex.steps
        .map((s) => s.call.variant)
        .join('+')
        .padEnd(
          36,
        )} ${ms.toFixed(2)} ms (median ${t[t.length >> 1].toFixed(2)}) ${(flops / ms / 1e6).toFixed(2)} GFLOP/s, cpu ${cpuMs.toFixed(1)} ms`,
    );
    ex.release();
  });
}
process.exit(0);
