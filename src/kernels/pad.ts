import { notImplemented } from './stub.js';
export const padKernel = notImplemented('pad');
