import { KestrelError } from '../core/errors.js';
import type { IrOp } from '../ir/graph.js';
import type { KernelDef } from './types.js';

/** Placeholder for a kernel family not written yet. */
export function notImplemented(op: IrOp): KernelDef {
  return { op, select: (n) => { throw new KestrelError('USAGE', `node '${n.name}': no kernel for IR op ${op} yet`); } };
}
