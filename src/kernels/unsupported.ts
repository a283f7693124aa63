import { UnsupportedOpError } from '../core/errors.js';
import type { KNode } from './types.js';

/** A kernel family that cannot run this node's configuration: a typed error naming what is missing. */
export function unsupported(node: KNode, detail: string): never {
  throw new UnsupportedOpError(node.name, node.op, 0, detail);
}
