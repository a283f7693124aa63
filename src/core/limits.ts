// Resource limits for untrusted models, with defaults that fit a head unit.
export interface Limits {
  /** Largest model file accepted (bytes). */
  maxModelBytes: number;
  /** Largest tensor (elements), for weights, inputs and every inferred intermediate. */
  maxTensorElements: number;
  /** Most nodes in a graph. */
  maxNodes: number;
  /** Largest external-data file total (bytes). */
  maxExternalBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxModelBytes: 512 * 1024 * 1024,
  maxTensorElements: 64 * 1024 * 1024,
  maxNodes: 100_000,
  maxExternalBytes: 2 * 1024 * 1024 * 1024,
};

export function withLimits(partial?: Partial<Limits>): Limits {
  return { ...DEFAULT_LIMITS, ...(partial ?? {}) };
}
