// `kestrel tune`: measures every kernel decision of a model on this adapter and writes a tuning profile
// (a timing cache) that an app ships beside its model; `--check` verifies that a profile's picks are
// within 10% of the fastest candidate measured now.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { HostTensor } from '../core/tensor.js';
import { loadModel } from '../onnx/load.js';
import { adapterName } from '../runtime/device.js';
import { PipelineCache } from '../runtime/pipelines.js';
import { Session } from '../runtime/session.js';
import { profileLookup } from '../runtime/tuning/lookup.js';
import { type TuningProfile, mergeProfiles, parseProfile, profileApplies } from '../runtime/tuning/profile.js';
import { tuneGraph } from '../runtime/tuning/tuner.js';
import { UsageError } from './args.js';
import type { Command } from './command.js';
import { INPUT_FLAG, MODEL_FLAGS, feedsFor, parsePasses, parseShapes, readInputs } from './model-args.js';

/** A pick may be this much slower than the fastest candidate timed in the same run. */
export const CHECK_SLACK = 1.1;

function positive(v: unknown, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a positive number`);
  return n;
}

export const tuneCommand: Command = {
  name: 'tune',
  summary: 'time every kernel candidate of a model on this adapter; write a tuning profile (or --check one)',
  usage:
    'tune MODEL [--shape NAME=1x3x320x320]... [--out FILE] [--budget-s N] [--runs N] [--stat median|min] ' +
    '[--share-slack F] [--check FILE]',
  args: {
    positionals: ['MODEL'],
    minPositionals: 1,
    flags: [
      INPUT_FLAG,
      ...MODEL_FLAGS,
      {
        name: 'out',
        type: 'string',
        valueName: 'FILE',
        summary: 'write the profile here; an existing profile for this adapter is merged (newer entries win)',
      },
      { name: 'budget-s', type: 'string', valueName: 'N', summary: 'stop starting measurement rounds after N s' },
      { name: 'runs', type: 'string', valueName: 'N', summary: 'profiled runs per candidate (default 5)' },
      {
        name: 'share-slack',
        type: 'string',
        valueName: 'F',
        summary:
          'take a candidate up to F slower than the fastest (default 0.05) where its pipeline is built for another ' +
          'step anyway: fewer compiles at the first run; 0 always picks the fastest',
      },
      {
        name: 'stat',
        type: 'string',
        valueName: 'median|min',
        summary: 'per-candidate statistic over the runs (default median; min where other processes share the CPU)',
      },
      {
        name: 'passes',
        type: 'string',
        valueName: 'N',
        summary: 'passes over the candidates, one plan alive at a time; the runs are spread over them (default 3)',
      },
      {
        name: 'check',
        type: 'string',
        valueName: 'FILE',
        summary:
          `exit 1 if a pick of this profile is over ${Math.round((CHECK_SLACK - 1) * 100)}% slower than the ` +
          `fastest candidate`,
      },
    ],
  },
  async run(args, io) {
    const path = args.positionals[0];
    const out = args.flags.out as string | undefined;
    const check = args.flags.check as string | undefined;
    if (!out && !check) throw new UsageError('tune: give --out FILE (write a profile) or --check FILE (verify one)');
    const runs = Math.round(positive(args.flags.runs, 'runs', 5));
    const passes = Math.round(positive(args.flags.passes, 'passes', 3));
    const shareSlack = args.flags['share-slack'] === undefined ? 0.05 : Number(args.flags['share-slack']);
    if (!(shareSlack >= 0 && shareSlack <= 0.1))
      throw new UsageError(
        `--share-slack must be a fraction from 0 to 0.1 (the --check slack), got '${args.flags['share-slack']}'`,
      );
    const stat = (args.flags.stat ?? 'median') as 'median' | 'min';
    if (stat !== 'median' && stat !== 'min') throw new UsageError('--stat must be median or min');
    const budgetS = args.flags['budget-s'] === undefined ? undefined : positive(args.flags['budget-s'], 'budget-s', 0);
    const model = await loadModel(path);
    const feeds = feedsFor(model.inputs, readInputs(args), parseShapes(args));
    const shapes = new Map(Object.entries(feeds).map(([k, t]) => [k, t.shape]));
    const session = await Session.create(model, {
      shapes: Object.fromEntries(shapes),
      passes: parsePasses(args),
      tuning: 'off',
    });
    try {
      const plan = await session.plan(shapes);
      const ctx = session.ctx;
      const tensors = new Map<string, HostTensor>(Object.entries(feeds));
      io.err(`tuning ${basename(path)} on ${adapterName(ctx)}`);
      const measured = await tuneGraph(ctx, new PipelineCache(ctx), plan.graph, tensors, {
        runs,
        passes,
        stat,
        shareSlack,
        collect: forcedGc(),
        budgetMs: budgetS === undefined ? undefined : budgetS * 1000,
        label: basename(path),
        log: (l) => io.err(l),
      });
      io.out(tuneTable(measured));
      if (check) return checkProfile(readProfile(check), measured, ctx.info, io);
      let profile = measured;
      if (out && existsSync(out)) {
        const old = readProfile(out);
        if (profileApplies(old, ctx.info)) profile = mergeProfiles(old, measured);
        else io.err(`${out} was measured on another adapter or Kestrel version: replaced`);
      }
      writeFileSync(out!, `${JSON.stringify(profile, null, 1)}\n`);
      io.out(
        `wrote ${out} (${Object.keys(profile.entries).length} node shapes, ${Object.keys(profile.classes).length} ` +
          `classes)`,
      );
      return 0;
    } finally {
      session.release();
    }
  },
};

/** Node frees a dropped pipeline's compiled code only when its wrapper is collected: collect after each round. */
function forcedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function readProfile(file: string): TuningProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read tuning profile ${file}: ${(e as Error).message}`);
  }
  return parseProfile(text, file);
}

/** One row per decision: the candidates' median ms, the pick and its gain over the portable default. */
export function tuneTable(p: TuningProfile): string {
  const rows = Object.entries(p.entries).map(([key, e]) => {
    const times = Object.entries(e.ms)
      .map(([id, ms]) => `${id}${id === e.pick ? '*' : ''} ${ms.toFixed(3)}`)
      .join('  ');
    const gain = e.default && e.ms[e.default] ? ` ${(e.ms[e.default] / e.ms[e.pick]).toFixed(2)}x vs default` : '';
    return `${key}\n    ${times}   ${gain}  (${e.where ?? ''})`;
  });
  return [`${rows.length} decisions measured (ms per node, * = pick)`, ...rows].join('\n');
}

/** Every decision the profile answers (exactly or by class) must pick within CHECK_SLACK of the fastest now. */
function checkProfile(
  profile: TuningProfile,
  now: TuningProfile,
  adapter: TuningProfile['adapter'],
  io: { out(t: string): void },
): number {
  if (!profileApplies(profile, adapter)) throw new UsageError('--check: that profile was made for another adapter');
  const lookup = profileLookup([profile]);
  let worst = 1;
  let bad = 0;
  for (const [key, e] of Object.entries(now.entries)) {
    const ids = Object.keys(e.ms);
    const pick = lookup.choose(key, e.classKey ?? '', ids)?.id ?? e.default ?? '?';
    const best = Math.min(...Object.values(e.ms));
    const ratio = pick in e.ms ? e.ms[pick] / best : Number.NaN;
    if (!(ratio <= CHECK_SLACK)) bad++;
    if (ratio > worst) worst = ratio;
    io.out(`${ratio <= CHECK_SLACK ? 'ok  ' : 'SLOW'} ${ratio.toFixed(2)}x  ${pick.padEnd(14)} ${key}`);
  }
  io.out(
    `check: ${bad} of ${Object.keys(now.entries).length} picks over ${CHECK_SLACK}x the fastest; worst ` +
      `${worst.toFixed(2)}x`,
  );
  return bad ? 1 : 0;
}
