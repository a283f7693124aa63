import { notImplemented } from './stub.js';
export const matmulKernel = notImplemented('matmul');
