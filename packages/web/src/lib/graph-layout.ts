/** A directed edge: data flows from `from` (the upstream product) to `to` (the product reading it). */
export interface GraphEdge {
  from: string;
  to: string;
  label: string;
  /** `input`: the reader's input port names the contract; `agreement`: a data usage agreement. */
  kind?: "input" | "agreement";
}

export interface PlacedNode {
  id: string;
  layer: number;
  x: number;
  y: number;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  width: number;
  height: number;
}

export const layoutSizes = { nodeWidth: 200, nodeHeight: 56, gapX: 90, gapY: 22, margin: 24 } as const;

/**
 * Layers by distance from the focus (upstream to the left, downstream to the right), then rows by
 * id inside a layer. Deterministic: the same graph always gets the same picture, so a node does
 * not jump when a neighbourhood is loaded elsewhere. Nodes not connected to the focus go last.
 */
export function layoutGraph(focus: string, nodeIds: readonly string[], edges: readonly GraphEdge[]): GraphLayout {
  const ids = [...new Set(nodeIds)].sort();
  const layer = new Map<string, number>();
  const out = new Map<string, string[]>();
  const inn = new Map<string, string[]>();
  for (const e of edges) {
    out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
    inn.set(e.to, [...(inn.get(e.to) ?? []), e.from]);
  }
  const queue: string[] = [];
  if (ids.includes(focus)) {
    layer.set(focus, 0);
    queue.push(focus);
  }
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const l = layer.get(id) ?? 0;
    for (const [next, step] of [
      ...(inn.get(id) ?? []).sort().map((n) => [n, -1] as const),
      ...(out.get(id) ?? []).sort().map((n) => [n, 1] as const),
    ]) {
      if (!layer.has(next)) {
        layer.set(next, l + step);
        queue.push(next);
      }
    }
  }
  const maxLayer = Math.max(0, ...layer.values());
  for (const id of ids) if (!layer.has(id)) layer.set(id, maxLayer + 1);
  const byLayer = new Map<number, string[]>();
  for (const id of ids) {
    const l = layer.get(id) ?? 0;
    byLayer.set(l, [...(byLayer.get(l) ?? []), id]);
  }
  const layers = [...byLayer.keys()].sort((a, b) => a - b);
  const tallest = Math.max(1, ...[...byLayer.values()].map((v) => v.length));
  const { nodeWidth, nodeHeight, gapX, gapY, margin } = layoutSizes;
  const rowH = nodeHeight + gapY;
  const nodes: PlacedNode[] = [];
  layers.forEach((l, col) => {
    const column = byLayer.get(l) ?? [];
    const offset = ((tallest - column.length) * rowH) / 2;
    column.forEach((id, row) => {
      nodes.push({ id, layer: l, x: margin + col * (nodeWidth + gapX), y: margin + offset + row * rowH });
    });
  });
  return {
    nodes,
    width: margin * 2 + Math.max(1, layers.length) * (nodeWidth + gapX) - gapX,
    height: margin * 2 + tallest * rowH - gapY,
  };
}

/** An SVG path from the right side of one node to the left side of another. */
export function edgePath(from: PlacedNode, to: PlacedNode): string {
  const { nodeWidth, nodeHeight } = layoutSizes;
  const x1 = from.x + nodeWidth;
  const y1 = from.y + nodeHeight / 2;
  const x2 = to.x;
  const y2 = to.y + nodeHeight / 2;
  const dx = Math.max(40, Math.abs(x2 - x1) / 2);
  return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
}
