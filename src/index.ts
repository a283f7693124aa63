// The public API: what both bundles (dist/kestrel.node.mjs, dist/kestrel.browser.mjs) export. The OCR demo is
// `kestrel-webgpu/demo` (src/demo/), not part of it.
export * from './core/errors.js';
export * from './core/tensor.js';
export type { DType, TypedArray } from './core/dtype.js';
export { DEFAULT_LIMITS, type Limits } from './core/limits.js';
export * from './runtime/device.js';
export { Session, type SessionOptions, type SessionRunOptions, type Feed, type Plan } from './runtime/session.js';
export type { GpuFeed, GpuTensor } from './runtime/gpu-io.js';
export {
  imageToTensor,
  type ImageSource,
  type ImageTensor,
  type ImageToTensorOptions,
} from './runtime/image-to-tensor.js';
export type { RunOptions, RunResult, StepTiming, MemoryReport } from './runtime/executor.js';
export { PipelineCache } from './runtime/pipelines.js';
export { loadModel, type LoadModelOptions, type LoadProgress, type ModelSource } from './onnx/load.js';
export type { Model, IoInfo, LoadOptions } from './onnx/decode.js';
export { supportedOps } from './onnx/import.js';
export { parseNpy, toNpy } from './io/npy.js';
export { diff, type Diff } from './parity/metrics.js';
// `kestrel quantize` as a function (the demo builds its int8 students with it on first use)
export { quantizeModel, type QuantizeOptions, type QuantizeResult } from './quant/quantize.js';
export { outputError, describeOutputError, type OutputError } from './quant/error-report.js';
// kernel choice per adapter: profiles from `kestrel tune`, passed as SessionOptions.tuning
export type { TuningProfile, TunedEntry } from './runtime/tuning/profile.js';
export type { TuningOption, AutoTuneOptions } from './runtime/tuning/resolve.js';
export type { TuningStore } from './runtime/tuning/store.js';
