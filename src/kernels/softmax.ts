import { notImplemented } from './stub.js';
export const softmaxKernel = notImplemented('softmax');
