// Liveness-based arena planning: values whose lifetimes do not overlap share bytes.
export interface Lifetime {
  name: string;
  bytes: number;
  /** First step that writes it (-1: written before the run, e.g. an input). */
  first: number;
  /** Last step that reads it (Infinity: read after the run, e.g. an output). */
  last: number;
}

export interface MemoryPlan {
  offsets: Map<string, number>;
  /** Bytes of the arena (peak of live activations, with alignment). */
  arenaBytes: number;
  /** Bytes a one-buffer-per-value plan would need. */
  naiveBytes: number;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Greedy by size: place each value at the lowest offset free of every value alive at the same time. */
export function planMemory(lifetimes: Lifetime[], align: number): MemoryPlan {
  const order = [...lifetimes].sort((a, b) => b.bytes - a.bytes || a.first - b.first);
  const placed: { lt: Lifetime; offset: number; size: number }[] = [];
  const offsets = new Map<string, number>();
  let arenaBytes = 0;
  let naiveBytes = 0;
  for (const lt of order) {
    const size = alignUp(Math.max(lt.bytes, 4), align);
    naiveBytes += size;
    const busy = placed
      .filter((p) => p.lt.first <= lt.last && lt.first <= p.lt.last)
      .sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const p of busy) {
      if (p.offset >= offset + size) break;
      offset = Math.max(offset, p.offset + p.size);
    }
    placed.push({ lt, offset, size });
    offsets.set(lt.name, offset);
    arenaBytes = Math.max(arenaBytes, offset + size);
  }
  return { offsets, arenaBytes, naiveBytes };
}
