import { notImplemented } from './stub.js';
export const layerNormKernel = notImplemented('layerNorm');
export const batchNormKernel = notImplemented('batchNorm');
