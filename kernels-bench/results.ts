// The bench's JSON document (documented field by field: kernels-bench/README.md).
import type { Ceilings } from '../src/profile/ceilings.js';
import type { Family } from './cases/types.js';
import type { ColdResult } from './cold.js';
import type { Student } from './models.js';

export const SCHEMA_VERSION = 1;
/** Max error (relative to max |ref|) above which a rung is reported as computing wrong numbers. */
export const ERROR_TOLERANCE = 1e-3;

export interface RungResult {
  rung: string;
  variants: string[];
  /** Median GPU ms per run (timestamps), or wall-clock ms when the adapter has none. */
  ms: number | null;
  gflops: number | null;
  gbs: number | null;
  ceilingPct: number | null;
  bound: 'compute' | 'memory' | null;
  /** max |gpu - ref| / max |ref|; null when no CPU reference exists. */
  maxError: number | null;
  /** false: wrong numbers (error above ERROR_TOLERANCE, or NaN). */
  ok: boolean | null;
  /** GFLOP/s count the direct algorithm's FLOPs (Winograd does fewer): shown, exempt from the ceiling check. */
  effectiveFlops?: boolean;
  error?: string;
}

export interface PeerResult {
  peer: 'tfjs-webgpu';
  version: string;
  /** Medians from interleaved pairs (Kestrel default rung, peer, Kestrel, peer, ...). */
  kestrelMs: number;
  peerMs: number;
  /** peer_ms / kestrel_ms: above 1 means Kestrel is faster. */
  ratio: number;
  pairs: number;
  peerMaxError: number | null;
  timing: 'timestamp' | 'wall-clock';
  error?: string;
}

export interface CaseResult {
  id: string;
  family: Family;
  source: string;
  op: string;
  shapes: string;
  flops: number;
  bytes: number;
  /** FLOPs per byte of compulsory traffic (inputs, weights, output). */
  intensity: number;
  refMs: number | null;
  rungs: RungResult[];
  /** The fastest correct rung. */
  best: string | null;
  peer?: PeerResult;
}

export interface ModelResult {
  student: Student;
  label: string;
  kestrelMs: number | null;
  ortWebMs: number | null;
  /** ort_web_ms / kestrel_ms. */
  ratio: number | null;
  pairs: number;
  kestrelError?: string;
  ortWebError?: string;
}

export interface TuneResult {
  id: string;
  family: Family;
  shapeClass: string;
  tried: { knobs: Record<string, number | boolean>; ms: number | null; ok: boolean | null; variants: string[] }[];
  best: Record<string, number | boolean> | null;
  bestMs: number | null;
  defaultMs: number | null;
}

export interface BenchResults {
  schema: number;
  adapter: string;
  slug: string;
  date: string;
  quick: boolean;
  command: string;
  timing: 'timestamp' | 'wall-clock';
  ceilings: Ceilings;
  ceilingsCached: boolean;
  /** Wall seconds per section (ceilings, kernels, models, cold) and in total. */
  seconds?: Record<string, number>;
  cases: CaseResult[];
  /** Best % of ceiling per family over its correct rungs. */
  families: { family: Family; bestCeilingPct: number | null; bestCase: string | null; bound: string | null }[];
  models: ModelResult[];
  cold: ColdResult[];
  /** `kestrel profile` of det: the top steps (when Kestrel runs det). */
  detProfileTop?: {
    index: number;
    op: string;
    variant: string;
    node: string;
    shapes: string;
    us: number | null;
    pct: number | null;
    gflops: number | null;
    ceilingPct: number | null;
  }[];
  detProfileTotals?: Record<string, unknown>;
  tuning?: TuneResult[];
  notes: string[];
}
