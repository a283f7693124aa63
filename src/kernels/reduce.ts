import { notImplemented } from './stub.js';
export const reduceKernel = notImplemented('reduce');
export const argReduceKernel = notImplemented('argReduce');
