import { notImplemented } from './stub.js';
export const convKernel = notImplemented('conv');
