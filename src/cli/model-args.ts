// Flags shared by commands that load a model: --shape NAME=1x3x320x320, --input NAME=FILE.npy, pass switches.
import { readFileSync } from 'node:fs';
import { KestrelError } from '../core/errors.js';
import type { HostTensor } from '../core/tensor.js';
import { allocTyped } from '../core/dtype.js';
import { sizeOf } from '../core/shape.js';
import { parseNpy } from '../io/npy.js';
import type { FlagSpec, ParsedArgs } from './args.js';
import { UsageError } from './args.js';
import type { IoInfo } from '../onnx/decode.js';
import { OPT_IN, PASSES, type PassName, type PassOptions } from '../ir/passes/index.js';
import { parseProfile } from '../runtime/tuning/profile.js';
import type { TuningOption } from '../runtime/tuning/resolve.js';

export const MODEL_FLAGS: FlagSpec[] = [
  {
    name: 'shape',
    type: 'string',
    repeat: true,
    valueName: 'NAME=1x3x320x320',
    summary: 'shape of an input with dynamic dims',
  },
  {
    name: 'no-pass',
    type: 'string',
    repeat: true,
    valueName: 'PASS',
    summary: `switch an optimization pass off (${Object.keys(PASSES).join(', ')})`,
  },
  {
    name: 'pass',
    type: 'string',
    repeat: true,
    valueName: 'PASS',
    summary: `switch an opt-in pass on (${[...OPT_IN].join(', ')}: QDQ chains on the integer kernels)`,
  },
];
export const TUNING_FLAG: FlagSpec = {
  name: 'tuning',
  type: 'string',
  valueName: 'off|auto|FILE',
  summary: "kernel choice: the adapter's shipped profile (default), portable defaults, measure now, or a profile",
};

/** --tuning: undefined (shipped profile), 'off', 'auto', or a profile file from `kestrel tune`. */
export function parseTuning(args: ParsedArgs): TuningOption | undefined {
  const v = args.flags.tuning as string | undefined;
  if (v === undefined || v === 'off' || v === 'auto') return v;
  let text: string;
  try {
    text = readFileSync(v, 'utf8');
  } catch (e) {
    throw new UsageError(`--tuning: cannot read ${v}: ${(e as Error).message} (give off, auto or a profile file)`);
  }
  return parseProfile(text, v);
}

export const INPUT_FLAG: FlagSpec = {
  name: 'input',
  type: 'string',
  repeat: true,
  valueName: 'NAME=FILE.npy',
  summary: 'an input tensor (missing inputs get seeded random data)',
};

function pairs(values: string[], flag: string): [string, string][] {
  return values.map((v) => {
    const i = v.lastIndexOf('=');
    if (i <= 0) throw new UsageError(`--${flag} expects NAME=VALUE, got '${v}'`);
    return [v.slice(0, i), v.slice(i + 1)];
  });
}

export function parseShapes(args: ParsedArgs): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, dims] of pairs(args.flags.shape as string[], 'shape')) {
    const shape = dims.split(/[x,]/).map(Number);
    if (shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw new UsageError(`--shape ${name}: invalid dims '${dims}'`);
    out[name] = shape;
  }
  return out;
}

export function parsePasses(args: ParsedArgs): PassOptions {
  const opts: PassOptions = {};
  for (const p of args.flags['no-pass'] as string[]) {
    if (!(p in PASSES)) throw new UsageError(`unknown pass '${p}' (passes: ${Object.keys(PASSES).join(', ')})`);
    opts[p as keyof PassOptions] = false;
  }
  for (const p of (args.flags.pass as string[] | undefined) ?? []) {
    if (!OPT_IN.has(p as PassName))
      throw new UsageError(`--pass ${p}: only opt-in passes can be switched on (${[...OPT_IN].join(', ')})`);
    opts[p as keyof PassOptions] = true;
  }
  return opts;
}

/**
 * `--shape` and `--input` must name model inputs: a typo is a usage error that lists them (checked before any file is
 * read).
 */
export function checkInputNames(inputs: IoInfo[], args: ParsedArgs): void {
  const known = new Set(inputs.map((i) => i.name));
  const list = inputs.map((i) => `${i.name} ${i.dtype}[${i.dims.join(',')}]`).join(', ');
  for (const flag of ['shape', 'input']) {
    for (const item of (args.flags[flag] as string[] | undefined) ?? []) {
      const name = item.slice(0, Math.max(item.lastIndexOf('='), 0));
      if (!name) throw new UsageError(`--${flag} '${item}' names no input: write NAME=VALUE (inputs: ${list})`);
      if (!known.has(name))
        throw new UsageError(`--${flag} ${name}: the model has no input '${name}' (inputs: ${list})`);
    }
  }
}

export function readInputs(args: ParsedArgs, flag = 'input'): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, file] of pairs((args.flags[flag] as string[]) ?? [], flag)) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch (e) {
      throw new KestrelError('USAGE', `cannot read ${file}: ${(e as Error).message}`);
    }
    out[name] = parseNpy(bytes, file);
  }
  return out;
}

/** Seeded random data for inputs that were not given (uniform [-1, 1) for floats, small ints otherwise). */
export function randomInput(io: IoInfo, shape: number[], seed = 1): HostTensor {
  const n = sizeOf(shape);
  const data = allocTyped(io.dtype, n);
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    const r = next();
    if (data instanceof Float32Array) data[i] = r * 2 - 1;
    else if (data instanceof BigInt64Array) data[i] = BigInt(Math.floor(r * 10));
    else (data as Int32Array)[i] = Math.floor(r * 10);
  }
  return { dtype: io.dtype, shape, data };
}

/** Feeds for every model input: given .npy files, else random data of the --shape or declared shape. */
export function feedsFor(
  inputs: IoInfo[],
  given: Record<string, HostTensor>,
  shapes: Record<string, number[]>,
): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const name of [...Object.keys(given), ...Object.keys(shapes)])
    if (!inputs.some((i) => i.name === name))
      throw new UsageError(`unknown input '${name}' (model inputs: ${inputs.map((i) => i.name).join(', ')})`);
  inputs.forEach((io, k) => {
    if (given[io.name]) {
      feeds[io.name] = given[io.name];
      return;
    }
    const shape =
      shapes[io.name] ??
      io.dims.map((d) => {
        if (typeof d === 'string')
          throw new UsageError(
            `input '${io.name}' has a dynamic dim '${d}': give --shape ${io.name}=... or --input ${io.name}=FILE.npy`,
          );
        return d;
      });
    feeds[io.name] = randomInput(io, shape, k + 1);
  });
  return feeds;
}
