import { notImplemented } from './stub.js';
export const transposeKernel = notImplemented('transpose');
export const sliceKernel = notImplemented('slice');
export const concatKernel = notImplemented('concat');
export const expandKernel = notImplemented('expand');
export const gatherKernel = notImplemented('gather');
