import type { ImportContext } from '../context.js';

/** Lowers the context's current ONNX node into IR nodes (defining its outputs). */
export type Lowering = (c: ImportContext) => void;
