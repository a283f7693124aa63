// `kestrel inspect`: op histogram, parameters, FLOPs per op type, unsupported ops and the memory plan.
import { sizeOf } from '../core/shape.js';
import { bytesPerElement } from '../core/dtype.js';
import { nodeFlops } from '../ir/cost.js';
import { explainQuantized } from '../ir/passes/fuse-qdq.js';
import { int64 } from '../onnx/proto.js';
import { LOWERINGS, resolveInputShapes } from '../onnx/import.js';
import { loadModel } from '../onnx/load.js';
import { Session } from '../runtime/session.js';
import type { Command } from './command.js';
import { MODEL_FLAGS, TUNING_FLAG, checkInputNames, parsePasses, parseShapes, parseTuning } from './model-args.js';
import { jsonOutput } from './output.js';

const mb = (b: number) => `${(b / 1048576).toFixed(2)} MiB`;

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'op histogram, parameters, FLOPs per op type, unsupported ops and the memory plan',
  usage: 'inspect MODEL [--shape NAME=1x3x320x320]... [--json FILE]',
  args: {
    positionals: ['MODEL'],
    minPositionals: 1,
    flags: [
      ...MODEL_FLAGS,
      TUNING_FLAG,
      { name: 'json', type: 'string', valueName: 'FILE', summary: 'also write the report as JSON (- for stdout)' },
    ],
  },
  async run(args, stdio) {
    const json = jsonOutput(args, stdio);
    const io = json.io;
    const model = await loadModel(args.positionals[0]);
    checkInputNames(model.inputs, args);
    const g = model.graph;
    io.out(
      `model: ${args.positionals[0]} (${mb(model.byteLength)}, ${model.producer || 'unknown producer'}, opset ` +
        `${model.opset})`,
    );
    for (const i of model.inputs) io.out(`input  ${i.name}: ${i.dtype}[${i.dims.join(',')}]`);
    for (const o of model.outputs) io.out(`output ${o.name}: ${o.dtype}[${o.dims.join(',')}]`);
    const hist = new Map<string, number>();
    const unsupported: string[] = [];
    g.node.forEach((n, i) => {
      const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
      hist.set(key, (hist.get(key) ?? 0) + 1);
      if (!LOWERINGS[n.opType] || (n.domain && n.domain !== 'ai.onnx'))
        unsupported.push(`${n.name || `${n.opType}_${i}`} (${key})`);
    });
    let params = 0;
    for (const t of g.initializer) params += t.dims.reduce((p: number, d) => p * int64(d), 1);
    for (const n of g.node)
      if (n.opType === 'Constant')
        for (const a of n.attribute) if (a.t) params += a.t.dims.reduce((p: number, d) => p * int64(d), 1);
    io.out(`\nONNX ops (${g.node.length} nodes):`);
    for (const [op, n] of [...hist].sort((a, b) => b[1] - a[1])) io.out(`  ${op.padEnd(24)} ${n}`);
    io.out(`parameters: ${params.toLocaleString('en-US')}`);
    const report: Record<string, unknown> = { ops: Object.fromEntries(hist), parameters: params, unsupported };
    if (unsupported.length) {
      io.out(`\nunsupported (${unsupported.length}):`);
      for (const u of unsupported) io.out(`  ${u}`);
      if (json.wanted) json.write(JSON.stringify(report, null, 2));
      return 1;
    }
    const session = await Session.create(model, {
      shapes: parseShapes(args),
      passes: parsePasses(args),
      tuning: parseTuning(args),
    });
    try {
      const plan = await session.plan(resolveInputShapes(model, parseShapes(args)));
      const ir = plan.graph;
      const flops = new Map<string, number>();
      for (const n of ir.nodes) flops.set(n.op, (flops.get(n.op) ?? 0) + nodeFlops(ir, n));
      const total = [...flops.values()].reduce((a, b) => a + b, 0);
      io.out(
        `\nafter optimization: ${ir.nodes.length} IR nodes, ${plan.executor.steps.length} GPU steps, ` +
          `${session.pipelineCount} pipelines; passes ${JSON.stringify(plan.passReport)}`,
      );
      io.out(`FLOPs by op (total ${(total / 1e9).toFixed(3)} GFLOP):`);
      for (const [op, f] of [...flops].sort((a, b) => b[1] - a[1]))
        io.out(
          `  ${op.padEnd(16)} ${(f / 1e9).toFixed(4).padStart(9)} GFLOP  ` +
            `${((100 * f) / total).toFixed(1).padStart(5)}%`,
        );
      const choices = new Map<string, number>();
      for (const s of plan.executor.steps)
        if (s.choice) {
          const k = `${s.call.variant} (${s.choice.source})`;
          choices.set(k, (choices.get(k) ?? 0) + 1);
        }
      if (choices.size) {
        io.out('tunable kernels: variant (where the choice came from: profile, auto, default) x steps');
        for (const [k, n] of [...choices].sort((a, b) => b[1] - a[1])) io.out(`  ${k.padEnd(44)} ${n}`);
        report.kernelChoices = plan.executor.steps
          .filter((s) => s.choice)
          .map((s) => ({
            node: s.node.name,
            variant: s.call.variant,
            ...s.choice,
          }));
      }
      const m = plan.executor.memory;
      const weightsByType = new Map<string, number>();
      for (const v of ir.values.values())
        if (v.data)
          weightsByType.set(v.dtype, (weightsByType.get(v.dtype) ?? 0) + sizeOf(v.shape) * bytesPerElement(v.dtype));
      const dq = ir.nodes.filter((n) => n.op === 'dequantize' && ir.values.get(n.inputs[0])?.data);
      const folded = ir.nodes.filter(
        (n) => ['conv', 'convTranspose', 'matmul'].includes(n.op) && ir.values.get(n.inputs[1])?.dtype === 'i8',
      );
      const quantizes = ir.nodes.filter((n) => n.op === 'quantize');
      const fake = quantizes.filter((n) => n.attrs.fake).length;
      const inEpilogue = ir.nodes.filter((n) => n.epilogue?.fakeQuant).length;
      if (dq.length || folded.length || quantizes.length || inEpilogue) {
        io.out(
          `quantization: ${folded.length} int8 weight tensors read packed by their conv/matmul (dequantize folded: ` +
            `decoded in registers, scale in the epilogue); ${dq.length} other packed weight tensors expanded by a ` +
            `dequantize step each run`,
        );
        if (inEpilogue || fake)
          io.out(
            `  QuantizeLinear -> DequantizeLinear pairs: ${inEpilogue} as their producer's last epilogue step, ` +
              `${fake} as one quantize-dequantize step`,
          );
        if (quantizes.length > fake)
          io.out(`  ${quantizes.length - fake} QuantizeLinear steps writing int8/uint8 tensors`);
      }
      const paths = explainQuantized(ir);
      if (paths.length) {
        const ints = paths.filter((p) => !p.path.startsWith('float')).length;
        // one line per way a float conv/matmul runs; integer kernels and QDQ chains that stayed float, one line per
        // node
        const byPath = new Map<string, number>();
        for (const p of paths)
          if (p.path.startsWith('float kernel on int8') || p.path.includes('activation is float'))
            byPath.set(p.path, (byPath.get(p.path) ?? 0) + 1);
        io.out(`quantized conv/matmul: ${ints} of ${paths.length} on the integer kernel`);
        for (const [path, count] of byPath) io.out(`  ${count} x ${path}`);
        for (const p of paths) if (!byPath.has(p.path)) io.out(`  ${p.node.padEnd(40)} ${p.path}`);
        report.quantizedPaths = paths;
      }
      io.out('memory plan:');
      io.out(
        `  weights on GPU        ${mb(m.weightBytes)}  ` +
          `(${[...weightsByType].map(([t, b]) => `${t} ${mb(b)}`).join(', ')})`,
      );
      io.out(`  activations (arena)   ${mb(m.arenaBytes)}  peak, liveness-planned`);
      io.out(
        `  one buffer per value  ${mb(m.naiveBytes)}  (the plan uses ${(m.arenaBytes / m.naiveBytes).toFixed(2)}x)`,
      );
      Object.assign(report, {
        irNodes: ir.nodes.length,
        steps: plan.executor.steps.length,
        pipelines: session.pipelineCount,
        flops: Object.fromEntries(flops),
        memory: { weightBytes: m.weightBytes, arenaBytes: m.arenaBytes, naiveBytes: m.naiveBytes },
      });
      if (json.wanted) json.write(JSON.stringify(report, null, 2));
      return 0;
    } finally {
      session.release();
    }
  },
};
