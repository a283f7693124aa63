// The fuzz oracle: a model either imports and plans (and, when asked, runs) or fails with a typed
// KestrelError, within a time bound and without values past the configured limits. Anything else is a finding.
import { KestrelError } from '../../src/core/errors.js';
import { type Limits, withLimits } from '../../src/core/limits.js';
import { sizeOf } from '../../src/core/shape.js';
import type { Graph } from '../../src/ir/graph.js';
import { runPasses } from '../../src/ir/passes/index.js';
import { type Model, decodeModel } from '../../src/onnx/decode.js';
import { importModel } from '../../src/onnx/import.js';
import { buildSchedule } from '../../src/plan/schedule.js';
import { assembleShader } from '../../src/shaders/assemble.js';

export const CAPS = { f16: false, subgroups: false, dot4: false, maxWorkgroupsPerDim: 65535 };

/** Tight limits for fuzzing: a mutated dim must be refused, not allocated. */
export const FUZZ_LIMITS: Limits = withLimits({
  maxTensorElements: 4 * 1024 * 1024,
  maxModelBytes: 64 * 1024 * 1024,
  maxNodes: 20_000,
});

/** Cases per suite: a quick CI subset by default, KESTREL_FUZZ_CASES for the long run. */
export function caseCount(ciDefault: number, share = 1): number {
  const env = Number(process.env.KESTREL_FUZZ_CASES);
  return Number.isFinite(env) && env > 0 ? Math.max(1, Math.round(env * share)) : ciDefault;
}
export const FUZZ_SEED = Number(process.env.KESTREL_FUZZ_SEED ?? 20240917);
/** Wall-clock bound for one import + plan (synchronous work cannot be interrupted; it is measured). */
export const CASE_MS = Number(process.env.KESTREL_FUZZ_CASE_MS ?? 5000);

export type Outcome =
  | { kind: 'ok'; ms: number; graph: Graph; model: Model }
  | { kind: 'refused'; ms: number; error: KestrelError }
  | { kind: 'bug'; ms: number; error: unknown; why: string };

/** Symbolic dims get these sizes; `x` of rank 4 is an image input. */
export function shapesFor(model: Model, preset: Record<string, number[]> = {}): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const io of model.inputs) {
    const p = preset[io.name];
    if (p && p.length === io.dims.length) m.set(io.name, p);
    else
      m.set(
        io.name,
        io.dims.map((d) => (typeof d === 'number' ? d : 2)),
      );
  }
  return m;
}

/** Refusals about the model as a whole; every other message quotes the node/tensor/field at fault. */
const WHOLE_MODEL =
  /^(default-domain opset|graph has no outputs|model is|model has no graph|not a valid ONNX protobuf|graph has \d+ nodes|external data exceeds)/;

function problemWith(e: unknown): string | null {
  if (!(e instanceof KestrelError)) return `non-Kestrel exception ${(e as Error)?.constructor?.name ?? typeof e}`;
  if (!e.message || e.message.length < 8) return 'KestrelError without a useful message';
  if (e.message.includes('undefined') && !/'undefined'/.test(e.message))
    return `message mentions undefined: ${e.message}`;
  if (!e.message.includes("'") && !WHOLE_MODEL.test(e.message))
    return `message names no node, tensor or field: ${e.message}`;
  return null;
}

/** Checks that what the planner hands the GPU is validated numbers: no model-controlled text in WGSL. */
export function checkShaderInputs(graph: Graph, names: string[]): string | null {
  const schedule = buildSchedule(graph, CAPS);
  for (const s of schedule.steps) {
    for (const [k, v] of Object.entries(s.spec.overrides ?? {})) {
      if (typeof v !== 'boolean' && (typeof v !== 'number' || !Number.isFinite(v)))
        return `override ${k}=${String(v)} in ${s.node.name}`;
    }
    for (const [k, v] of Object.entries(s.spec.prelude ?? {})) {
      if (typeof v !== 'number' && !/^(vec4<)?(f32|f16|i32|u32)>?$/.test(v))
        return `prelude ${k}=${v} in ${s.node.name}`;
    }
    const code = assembleShader(s.spec);
    for (const n of names)
      if (n.length >= 3 && code.includes(n)) return `model name '${n}' reached the WGSL of ${s.spec.file}`;
  }
  return null;
}

/** decode -> import -> passes -> schedule, classified. */
export function checkModel(
  bytes: Uint8Array,
  opts: { limits?: Limits; preset?: Record<string, number[]> } = {},
): Outcome {
  const limits = opts.limits ?? FUZZ_LIMITS;
  const t0 = performance.now();
  let model: Model | undefined;
  try {
    model = decodeModel(bytes, { limits });
    const graph = importModel(model, shapesFor(model, opts.preset));
    runPasses(graph);
    const ms = performance.now() - t0;
    for (const v of graph.values.values()) {
      if (sizeOf(v.shape) > limits.maxTensorElements)
        return {
          kind: 'bug',
          ms,
          error: null,
          why: `value '${v.name}' has ${sizeOf(v.shape)} elements, past maxTensorElements`,
        };
      if (v.data && v.data.data.length > Math.max(sizeOf(v.shape), 1) + 1)
        return {
          kind: 'bug',
          ms,
          error: null,
          why: `constant '${v.name}' holds ${v.data.data.length} values for shape [${v.shape}]`,
        };
    }
    try {
      buildSchedule(graph, CAPS);
    } catch (e) {
      // a kernel may not exist yet; that is a typed refusal, not a crash
      const bad = problemWith(e);
      if (bad) return { kind: 'bug', ms: performance.now() - t0, error: e, why: `schedule: ${bad}` };
    }
    if (performance.now() - t0 > CASE_MS)
      return {
        kind: 'bug',
        ms: performance.now() - t0,
        error: null,
        why: `took ${Math.round(performance.now() - t0)} ms`,
      };
    return { kind: 'ok', ms, graph, model };
  } catch (e) {
    const ms = performance.now() - t0;
    const bad = problemWith(e);
    if (bad) return { kind: 'bug', ms, error: e, why: bad };
    if (ms > CASE_MS) return { kind: 'bug', ms, error: e, why: `refusal took ${Math.round(ms)} ms` };
    return { kind: 'refused', ms, error: e as KestrelError };
  }
}

export interface Finding {
  id: string;
  what: string;
  why: string;
  error: string;
}

const clip = (s: string): string => (s.length > 300 ? `${s.slice(0, 300)}…(${s.length} chars)` : s);

/** Tallies outcomes per suite and keeps the first findings with what reproduces them. */
export class Tally {
  ok = 0;
  refused = 0;
  findings: Finding[] = [];
  codes = new Map<string, number>();
  maxMs = 0;
  totalMs = 0;
  constructor(
    readonly suite: string,
    readonly seed = FUZZ_SEED,
  ) {}
  add(id: string, what: string, o: Outcome): void {
    this.maxMs = Math.max(this.maxMs, o.ms);
    this.totalMs += o.ms;
    if (o.kind === 'ok') this.ok++;
    else if (o.kind === 'refused') {
      this.refused++;
      this.codes.set(o.error.code, (this.codes.get(o.error.code) ?? 0) + 1);
    } else
      this.findings.push({
        id,
        what: clip(what),
        why: clip(o.why),
        error:
          o.error instanceof Error
            ? `${o.error.name}: ${clip(o.error.message)}\n${o.error.stack?.split('\n').slice(1, 4).join('\n')}`
            : String(o.error),
      });
  }
  get total(): number {
    return this.ok + this.refused + this.findings.length;
  }
  report(): string {
    const codes = [...this.codes].map(([k, v]) => `${k}=${v}`).join(' ');
    return (
      `[fuzz] ${this.suite}: ${this.total} cases (seed ${this.seed}) — ${this.ok} ok, ${this.refused} refused (${codes}), ${this.findings.length} findings; ` +
      `max ${this.maxMs.toFixed(0)} ms/case, ${(this.totalMs / 1000).toFixed(1)} s total`
    );
  }
  /** A readable list of findings (first 10) for the assertion message. */
  details(): string {
    return this.findings
      .slice(0, 10)
      .map((f) => `#${f.id} ${f.what}\n  ${f.why}\n  ${f.error}`)
      .join('\n');
  }
}
