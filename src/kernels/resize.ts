import { notImplemented } from './stub.js';
export const resizeKernel = notImplemented('resize');
