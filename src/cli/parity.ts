// `kestrel parity`: our outputs against onnxruntime-node or stored .npy tensors, per output.
import { readFileSync } from 'node:fs';
import type { HostTensor } from '../core/tensor.js';
import { loadModel } from '../onnx/load.js';
import { diff } from '../parity/metrics.js';
import { runOnnxruntime } from '../parity/ort.js';
import { Session } from '../runtime/session.js';
import { UsageError } from './args.js';
import type { Command } from './main.js';
import { INPUT_FLAG, MODEL_FLAGS, feedsFor, parsePasses, parseShapes, readInputs } from './model-args.js';

export const parityCommand: Command = {
  name: 'parity',
  summary: 'compare outputs with onnxruntime-node or expected .npy files (exit 0 within tolerance, 1 mismatch, 2 error)',
  usage: 'parity MODEL --input NAME=FILE.npy... (--expected NAME=FILE.npy... | --against onnxruntime) [--tolerance REL_L2]',
  args: {
    positionals: ['MODEL'], minPositionals: 1,
    flags: [
      INPUT_FLAG, ...MODEL_FLAGS,
      { name: 'expected', type: 'string', repeat: true, valueName: 'NAME=FILE.npy', summary: 'expected output tensor' },
      { name: 'against', type: 'string', valueName: 'onnxruntime', summary: 'reference engine' },
      { name: 'tolerance', type: 'string', valueName: 'REL_L2', summary: 'relative L2 tolerance (default 1e-4)' },
    ],
  },
  async run(args, io) {
    const tol = Number(args.flags.tolerance ?? 1e-4);
    if (!(tol >= 0)) throw new UsageError('--tolerance must be a number >= 0');
    const against = args.flags.against as string | undefined;
    const expectedGiven = (args.flags.expected as string[]).length > 0;
    if (against && against !== 'onnxruntime') throw new UsageError(`--against supports only 'onnxruntime'`);
    if (!!against === expectedGiven) throw new UsageError('give either --expected NAME=FILE.npy... or --against onnxruntime');
    const path = args.positionals[0];
    const model = await loadModel(path);
    const feeds = feedsFor(model.inputs, readInputs(args), parseShapes(args));
    let expected: Record<string, HostTensor>;
    if (against) expected = await runOnnxruntime(new Uint8Array(readFileSync(path)), feeds);
    else expected = readInputs(args, 'expected');
    const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape]));
    const session = await Session.create(model, { shapes, passes: parsePasses(args) });
    try {
      const ours = await session.run(feeds);
      let failed = false;
      io.out(`${'output'.padEnd(28)} ${'rel L2'.padStart(10)} ${'max abs'.padStart(10)} ${'NaN/Inf'.padStart(8)}  result`);
      for (const [name, ref] of Object.entries(expected)) {
        const mine = ours[name];
        if (!mine) throw new UsageError(`expected output '${name}' is not an output of the model (${Object.keys(ours).join(', ')})`);
        if (mine.shape.join(',') !== ref.shape.join(',')) {
          io.out(`${name.padEnd(28)} shape [${mine.shape}] vs expected [${ref.shape}]  FAIL`);
          failed = true;
          continue;
        }
        const d = diff(mine, ref);
        const ok = d.relL2 <= tol && d.nanInf === 0;
        failed ||= !ok;
        io.out(`${name.padEnd(28)} ${d.relL2.toExponential(2).padStart(10)} ${d.maxAbs.toExponential(2).padStart(10)} ${String(d.nanInf).padStart(8)}  ${ok ? 'ok' : 'FAIL'}`);
      }
      io.out(failed ? `mismatch (tolerance ${tol})` : `all outputs within tolerance ${tol}`);
      return failed ? 1 : 0;
    } finally {
      session.release();
    }
  },
};
