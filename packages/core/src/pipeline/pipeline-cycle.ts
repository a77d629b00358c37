/** An edge of the build graph: `product` reads its input port `via` from `upstream`'s output. */
export interface PipelineEdge {
  product: string;
  via: string;
  upstream: string;
}

/**
 * A cycle through `start` in the graph of products built by pipelines (each edge: a product reads
 * an output of another that is itself built), as the products along it, `start` first and last;
 * undefined when there is none.
 */
export function findPipelineCycle(
  start: string,
  upstreamOf: (product: string) => readonly PipelineEdge[],
): PipelineEdge[] | undefined {
  const seen = new Set<string>();
  const walk = (product: string, path: PipelineEdge[]): PipelineEdge[] | undefined => {
    for (const edge of upstreamOf(product)) {
      if (edge.upstream === start) return [...path, edge];
      if (seen.has(edge.upstream)) continue;
      seen.add(edge.upstream);
      const found = walk(edge.upstream, [...path, edge]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, []);
}

/** `a (reads x) → b (reads y) → a`: the cycle as a message names it. */
export const describeCycle = (cycle: readonly PipelineEdge[]): string =>
  [...cycle.map((e) => `${e.product} (input port ${e.via})`), cycle[0]?.product ?? ""].join(" → ");
