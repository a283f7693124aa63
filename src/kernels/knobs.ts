// Tile, workgroup and switch knobs of the kernels that have them. The defaults are frozen constants; a caller
// that wants others (tests, kernels-bench ladders, the timing script) passes overrides in the TuningLookup it
// selects with (withKnobs), so kernel choice stays a pure function of (node, caps, tuning).
import type { TuningLookup } from './tuning.js';

export interface ConvKnobs {
  /** Output channels per lane with subgroups (a multiple of 8). */
  tm: number;
  /** Output channels per lane without subgroups (a multiple of 4; each costs loads and compile time). */
  portableTm: number;
  /** Output pixels per lane along a row (halved for narrow outputs). */
  tn: number;
  depthwiseTn: number;
  /** Use the vec4 depthwise kernel where rows are whole vec4s. */
  depthwiseVec4: boolean;
  /**
   * Widest kernel for the vec4 depthwise kernel. Its unrolled 5x5 body costs ~2x the compile time of the
   * rolled scalar kernel at the first dispatch, for ~0.1 ms per PP-OCR layer.
   */
  depthwiseVec4MaxK: number;
  /** Output rows per lane of the vec4 depthwise kernel (input rows loaded once serve TM output rows). */
  depthwiseTm: number;
  /** Pixels per lane of the 1x1 GEMM (a multiple of 4; 0 disables it). */
  pointwiseTn: number;
  /**
   * Output channels per lane of the 1x1 GEMM (a multiple of 8: one weight per lane of an 8-lane subgroup per 8
   * channels).
   */
  pointwiseTm: number;
  /**
   * Lanes per workgroup (two 8-lane subgroups). On lavapipe 16 runs as fast as 64 and compiles faster:
   * PP-OCRv4 det's cold start with the shader cache off drops from 5.4 to 4.3 s. A discrete GPU wants
   * 64+; this is the knob the tuner sets per adapter.
   */
  wg: number;
  /** Longest input segment a lane keeps in registers; wider kernels go direct. */
  maxSegment: number;
  /** Ignore caps.subgroups (to test the portable kernels on an adapter that has them). */
  noSubgroups: boolean;
  /** Subgroup size below which the subgroup kernels compute per output (tests raise it past 8). */
  minSubgroup: number;
}

export interface WinogradKnobs {
  /** Output channels per workgroup (8 or 16: one or two per lane of an 8-lane subgroup). */
  tm: number;
  /**
   * 2x2 tiles per lane along a row (they share the input window's column transform and each broadcast
   * weight). 4 measured no better (det 96->24 @80 15.1 vs 15.8 ms median under load, @20 0.84 vs 0.78)
   * and compiles twice as long (about 2.1 vs 0.9 s with the shader cache off).
   */
  tt: number;
  /** Lanes per workgroup: one 8-lane subgroup (det 96->24 @20: 0.87 vs 0.99 ms with 16; even elsewhere). */
  wg: number;
  /** Never a candidate (kernels-bench's baseline rung). */
  disabled: boolean;
  /** Subgroup size below which the kernel computes each output directly (tests raise it past 8). */
  minSubgroup: number;
}

/** TM a multiple of 8 with subgroups, of 4 without. */
export interface ConvTransposeKnobs {
  tm: number;
  portableTm: number;
  tn: number;
  portableTn: number;
  wg: number;
  noSubgroups: boolean;
  minSubgroup: number;
}

export interface BinaryKnobs {
  /** Use binary_bcast4.wgsl (vec4, shifted broadcast) where it applies. */
  bcast4: boolean;
}

export interface KernelKnobs {
  conv: ConvKnobs;
  winograd: WinogradKnobs;
  convTranspose: ConvTransposeKnobs;
  binary: BinaryKnobs;
}

/** Some knobs of some kernels; the rest keep their defaults. */
export type KnobOverrides = { readonly [K in keyof KernelKnobs]?: Readonly<Partial<KernelKnobs[K]>> };

/** Tile sizes measured on lavapipe (see test/kernels/conv-timing.ts), where every buffer load is a per-lane loop. */
export const DEFAULT_KNOBS: Readonly<{ [K in keyof KernelKnobs]: Readonly<KernelKnobs[K]> }> = Object.freeze({
  conv: Object.freeze({
    tm: 8,
    portableTm: 4,
    tn: 8,
    depthwiseTn: 8,
    depthwiseVec4: true,
    depthwiseVec4MaxK: 3,
    depthwiseTm: 2,
    pointwiseTn: 8,
    pointwiseTm: 16,
    wg: 16,
    maxSegment: 48,
    noSubgroups: false,
    minSubgroup: 8,
  }),
  winograd: Object.freeze({ tm: 8, tt: 2, wg: 8, disabled: false, minSubgroup: 8 }),
  convTranspose: Object.freeze({
    tm: 8,
    portableTm: 4,
    tn: 8,
    portableTn: 4,
    wg: 64,
    noSubgroups: false,
    minSubgroup: 8,
  }),
  binary: Object.freeze({ bcast4: true }),
});

/** One kernel's knobs: the defaults with the lookup's overrides applied. */
export function knobsOf<K extends keyof KernelKnobs>(tuning: TuningLookup | undefined, kernel: K): KernelKnobs[K] {
  const overrides = tuning?.knobs?.[kernel];
  return overrides ? { ...DEFAULT_KNOBS[kernel], ...overrides } : DEFAULT_KNOBS[kernel];
}

/** `lookup`'s choices (none: every default) with `knobs` laid over the knobs it already carries. */
export function withKnobs(lookup: TuningLookup | undefined, knobs: KnobOverrides): TuningLookup {
  const merged: { [K in keyof KernelKnobs]?: Partial<KernelKnobs[K]> } = { ...lookup?.knobs };
  for (const kernel of Object.keys(knobs) as (keyof KernelKnobs)[]) {
    Object.assign((merged[kernel] = { ...merged[kernel] }), knobs[kernel]);
  }
  return {
    choose: (key, classKey, ids) => lookup?.choose(key, classKey, ids),
    knobs: Object.freeze(merged),
  };
}
