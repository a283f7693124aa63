import { notImplemented } from './stub.js';
export const convTransposeKernel = notImplemented('convTranspose');
