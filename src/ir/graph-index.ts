// One index over a graph that the passes share: who produces each value, who reads it, how often, and where
// each node sits. Built on first query; a pass that edits the graph calls invalidate() and the next query rebuilds.
import { type Graph, type Node, epilogueValues } from './graph.js';

export class GraphIndex {
  private producers = new Map<string, Node>();
  private readers = new Map<string, Node[]>();
  private counts = new Map<string, number>();
  private positions = new Map<Node, number>();
  private built = false;

  /** `keep`: values that must stay readable (captured, debugged), counted as uses. */
  constructor(
    readonly g: Graph,
    readonly keep: ReadonlySet<string> = new Set(),
  ) {}

  /** Marks the index stale after an edit of the graph's nodes or their inputs, outputs or epilogues. */
  invalidate(): void {
    this.built = false;
  }

  /** The node that computes `value` (undefined for inputs, constants and unknown names). */
  producer(value: string): Node | undefined {
    return this.index().producers.get(value);
  }

  /** The nodes that read `value` as an input or epilogue operand, in graph order. */
  consumers(value: string): readonly Node[] {
    return this.index().readers.get(value) ?? [];
  }

  /** How many times `value` is read (node inputs, epilogue operands, graph outputs, kept values). */
  uses(value: string): number {
    return this.index().counts.get(value) ?? 0;
  }

  /** The node's place in graph order, or -1 once it is no longer in the graph. */
  position(node: Node): number {
    return this.index().positions.get(node) ?? -1;
  }

  /** The single consumer of `value`, if it has exactly one use and is not kept or a graph output. */
  soleConsumer(value: string): Node | null {
    if (this.uses(value) !== 1 || this.keep.has(value) || this.g.outputs.includes(value)) return null;
    // looked up in the live graph: a pass that edits without invalidating still sees the reader as it is now
    return this.g.nodes.find((n) => n.inputs.includes(value)) ?? null;
  }

  private index(): this {
    if (this.built) return this;
    this.producers.clear();
    this.readers.clear();
    this.counts.clear();
    this.positions.clear();
    const count = (v: string | undefined) => {
      if (v) this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
    };
    this.g.nodes.forEach((n, i) => {
      this.positions.set(n, i);
      for (const o of n.outputs) this.producers.set(o, n);
      const read = [...n.inputs, ...epilogueValues(n.epilogue)];
      read.forEach(count);
      for (const v of new Set(read)) if (v) this.readers.set(v, [...(this.readers.get(v) ?? []), n]);
    });
    this.g.outputs.forEach(count);
    this.keep.forEach(count);
    this.built = true;
    return this;
  }
}
