import { KestrelError, UnsupportedOpError } from '../core/errors.js';
import type { IrOp } from '../ir/graph.js';
import type { KNode, KernelDef } from './types.js';

/** Placeholder for a kernel family not written yet. */
export function notImplemented(op: IrOp): KernelDef {
  return {
    op,
    select: (n) => {
      throw new KestrelError('USAGE', `node '${n.name}': no kernel for IR op ${op} yet`);
    },
  };
}

/** A kernel family that cannot run this node's configuration: a typed error naming what is missing. */
export function unsupported(node: KNode, detail: string): never {
  throw new UnsupportedOpError(node.name, node.op, 0, detail);
}
