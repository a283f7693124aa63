// The contract between the planner and the kernel library: a KernelDef looks at one IR node (with
// concrete shapes) and says which shader file, specialization, uniforms, bindings and dispatch to use.
import type { Epilogue, IrOp, WithAttrs } from '../ir/graph.js';
import type { TensorInfo } from '../ir/infer-shapes.js';
import type { ShaderSpec } from '../shaders/assemble.js';
import type { ChoiceRecord, TuningLookup } from './tuning.js';
import type { UniformBytes } from '../core/uniform-struct.js';

export interface KNodeBase {
  name: string;
  /** null marks an absent optional input. */
  inputs: (TensorInfo | null)[];
  outputs: TensorInfo[];
  epilogue: Epilogue | null;
  /** Which inputs are constants (weights) with their data, for kernels that prepack. */
  constInputs?: boolean[];
  /** Which inputs are sub-word integer constants stored packed (4 x 8-bit or 8 x 4-bit per u32). */
  packedInputs?: boolean[];
}

/** A node as a kernel sees it (concrete shapes), discriminated on `op` like the IR's Node. */
export type KNode = WithAttrs<KNodeBase>;
export type KNodeOf<K extends IrOp> = Extract<KNode, { op: K }>;
/** Any one op's kernel (the registry's entries). */
export type AnyKernelDef = { [K in IrOp]: KernelDef<K> }[IrOp];

export interface KernelCaps {
  f16: boolean;
  subgroups: boolean;
  dot4: boolean;
  maxWorkgroupsPerDim: number;
}

/** A storage binding of a call: an input or output of the node, or a scratch buffer of the selection. */
export type BindingRef =
  | { io: 'in'; index: number }
  | { io: 'out'; index: number }
  | { io: 'scratch'; index: number }
  /** An unused optional operand: bound to a small dummy buffer of its own. */
  | { io: 'none' };

export interface KernelCall {
  /** Human-readable variant name, shown in profiles (e.g. 'conv2d.depthwise'). */
  variant: string;
  shader: ShaderSpec;
  /** The kernel's `params` uniform (binding 0), packed by its schema in uniforms.ts (checked against the shader). */
  params: UniformBytes;
  /** Storage bindings 1..n, in order. */
  bindings: BindingRef[];
  workgroups: [number, number, number];
  /**
   * Apply the node's epilogue in this call (only meaningful if the shader requires lib/epilogue.wgsl). Default true.
   */
  epilogue?: boolean;
  /** Work done, for GFLOP/s and GB/s in profiles. */
  flops?: number;
  bytes?: number;
}

export interface KernelSelection {
  calls: KernelCall[];
  /** Byte sizes of scratch buffers, live only during this node's calls. */
  scratch?: number[];
  /** The tunable decision behind these calls, where the kernel has one. */
  choice?: ChoiceRecord;
}

export interface KernelDef<K extends IrOp = IrOp> {
  op: K;
  /** `tuning` picks among a tunable kernel's candidates (a measured profile); without it the portable default runs. */
  select: (node: KNodeOf<K>, caps: KernelCaps, tuning?: TuningLookup) => KernelSelection;
}
