import { notImplemented } from './stub.js';
export const poolKernel = notImplemented('pool');
