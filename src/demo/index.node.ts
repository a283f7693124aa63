// `kestrel-webgpu/demo` in Node (dist/demo.node.mjs): the browser-safe demo plus frames from disk, the
// onnxruntime engine, the reports and the web server behind `kestrel demo`.
export * from './index.js';
export { OnnxruntimeEngine } from './engine-ort.js';
export { decodeImage, encodeJpeg, encodePng, readImage, writeImage } from './io.js';
export {
  DEFAULT_PRECISION,
  PRECISIONS,
  type ModelFiles,
  type Precision,
  modelFiles,
  modelsAvailable,
} from './models.js';
export { ENGINES, type AccuracyRun, type EngineName, accuracyRun, createPipeline, loadFrames } from './node.js';
export { type AccuracyRow, accuracyMarkdown, formatAccuracy, formatLatency, formatLines } from './report.js';
export { type RunningServer, type ServerOptions, startServer } from './server.js';
export { cloneImage } from './image.js';
