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

export interface Point {
  x: number;
  y: number;
}

/** A cubic Bézier curve: it starts and ends at the two nodes and never leaves its control points' hull. */
export interface Curve {
  start: Point;
  c1: Point;
  c2: Point;
  end: Point;
}

export interface PlacedEdge extends GraphEdge {
  curve: Curve;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  /** The edges between placed nodes, routed; an edge to a node not in the graph is left out. */
  edges: PlacedEdge[];
  /** The canvas: every node and every edge's control points lie inside [0, width] × [0, height]. */
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
      nodes.push({ id, layer: l, x: col * (nodeWidth + gapX), y: offset + row * rowH });
    });
  });
  const placed = new Map(nodes.map((n) => [n.id, n]));
  const routed: { edge: GraphEdge; curve: Curve }[] = [];
  const order = (e: GraphEdge) => `${e.from}\u0000${e.to}\u0000${e.label}`;
  for (const edge of [...edges].sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0))) {
    const a = placed.get(edge.from);
    const b = placed.get(edge.to);
    if (a && b) routed.push({ edge, curve: edgeCurve(a, b) });
  }
  // An edge back to an earlier layer (or inside one) loops out left of its target: the canvas is
  // the box around nodes and curves, moved so its left and top edges sit at the margin.
  const xs = [0, nodeWidth, ...nodes.map((n) => n.x + nodeWidth)];
  const ys = [0, nodeHeight, ...nodes.map((n) => n.y + nodeHeight)];
  for (const { curve } of routed) {
    for (const p of [curve.start, curve.c1, curve.c2, curve.end]) {
      xs.push(p.x);
      ys.push(p.y);
    }
  }
  const dx = margin - Math.min(...xs);
  const dy = margin - Math.min(...ys);
  const move = (p: Point): Point => ({ x: p.x + dx, y: p.y + dy });
  return {
    nodes: nodes.map((n) => ({ ...n, ...move(n) })),
    edges: routed.map(({ edge, curve }) => ({
      ...edge,
      curve: { start: move(curve.start), c1: move(curve.c1), c2: move(curve.c2), end: move(curve.end) },
    })),
    width: Math.max(...xs) + dx + margin,
    height: Math.max(...ys) + dy + margin,
  };
}

/**
 * From the right side of one node to the left side of another. Forward, the curve bends halfway
 * across the gap between them; back to an earlier or the same layer, it loops a fixed distance out
 * of both sides instead of one growing with the distance, so a long back edge stays near its nodes.
 */
export function edgeCurve(from: PlacedNode, to: PlacedNode): Curve {
  const { nodeWidth, nodeHeight, gapX } = layoutSizes;
  const start = { x: from.x + nodeWidth, y: from.y + nodeHeight / 2 };
  const end = { x: to.x, y: to.y + nodeHeight / 2 };
  const bend = end.x > start.x ? Math.max(40, (end.x - start.x) / 2) : gapX / 2;
  return { start, c1: { x: start.x + bend, y: start.y }, c2: { x: end.x - bend, y: end.y }, end };
}

/** The SVG path of a curve. */
export function curvePath({ start, c1, c2, end }: Curve): string {
  return `M${start.x},${start.y} C${c1.x},${c1.y} ${c2.x},${c2.y} ${end.x},${end.y}`;
}

/** An SVG path from the right side of one node to the left side of another. */
export function edgePath(from: PlacedNode, to: PlacedNode): string {
  return curvePath(edgeCurve(from, to));
}
