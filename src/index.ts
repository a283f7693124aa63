// The public API: what both bundles (dist/kestrel.node.mjs, dist/kestrel.browser.mjs) export.
export * from './core/errors.js';
export * from './core/tensor.js';
export type { DType, TypedArray } from './core/dtype.js';
export { DEFAULT_LIMITS, type Limits } from './core/limits.js';
export * from './runtime/device.js';
export { Session, type SessionOptions, type SessionRunOptions, type Feed, type Plan } from './runtime/session.js';
export type { GpuFeed, GpuTensor } from './runtime/gpu-io.js';
export type { RunOptions, RunResult, StepTiming, MemoryReport } from './runtime/executor.js';
export { PipelineCache } from './runtime/pipelines.js';
export { loadModel, type LoadModelOptions, type LoadProgress, type ModelSource } from './onnx/load.js';
export type { Model, IoInfo } from './onnx/decode.js';
export { supportedOps } from './onnx/import.js';
export { parseNpy, toNpy } from './io/npy.js';
export { diff, type Diff } from './parity/metrics.js';
// The road-sign reader behind `kestrel demo` and web/ (pre/post-processing, engines, scoring).
export * from './demo/index.js';
