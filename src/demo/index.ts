// The demo's browser-safe part: `kestrel-webgpu/demo` in browsers (dist/demo.browser.mjs); web/ uses it.
export {
  type AccuracySummary,
  type FrameScore,
  type LineScore,
  editDistance,
  scoreFrame,
  summarize,
} from './accuracy.js';
export {
  DB_DEFAULTS,
  DET_MEAN,
  DET_STD,
  type DbOptions,
  type TextBox,
  boxesFromProbMap,
  detInputSize,
  preprocessDet,
} from './det.js';
export { annotate } from './draw.js';
export {
  type InferResult,
  KestrelEngine,
  type ModelBytes,
  type ModelRole,
  type OcrEngine,
  type StepTime,
} from './engine.js';
export { type Point, type Quad } from './geometry.js';
export { type RgbaImage, resizeImage } from './image.js';
export { groupWords } from './lines.js';
export {
  type KernelSummary,
  type OcrLine,
  type GpuDetInput,
  type OcrResult,
  OcrPipeline,
  type PipelineOptions,
  summarizeSteps,
} from './pipeline.js';
export { ctcGreedyDecode, parseDictionary, preprocessRec } from './rec.js';
export type { FrameTruth, FramesManifest, TruthLine } from './truth.js';
