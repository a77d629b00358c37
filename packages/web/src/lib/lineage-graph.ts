import type { LineageAnswer, LineageAnswerEdge } from "../api/types.js";

// The lineage view of the product page (ADR 0035): answers of GET /api/lineage merged step by step
// into one graph, laid out in layers (upstream left, downstream right), and culled to what is on
// screen. Pure functions, so the same graph always gets the same picture.

export const lineageKinds = ["product", "port", "column", "job", "dataset", "team"] as const;
/** A node kind the view draws; `other` for a kind this marketplace does not know yet. */
export type LineageKind = (typeof lineageKinds)[number] | "other";

export interface ViewNode {
  id: string;
  kind: LineageKind;
  /** Steps from the product the view started at: negative upstream, positive downstream. */
  layer: number;
}

export interface ViewEdge {
  key: string;
  from: string;
  to: string;
  /** `declared`, `pipeline`, `agreement`, `openlineage`, or one the platform adds later. */
  origin: string;
  details: Record<string, unknown>;
}

export interface LineageView {
  /** The node the view started at (layer 0). */
  focus: string;
  nodes: ReadonlyMap<string, ViewNode>;
  edges: ReadonlyMap<string, ViewEdge>;
  /** `id\u0000direction` of every step already asked, so a step is never asked twice. */
  asked: ReadonlySet<string>;
  /** Ports whose columns (from their contract) are in the view. */
  columnsShown: ReadonlySet<string>;
  /** Nodes whose answer the platform cut at its limit: more lies beyond them. */
  truncated: ReadonlySet<string>;
  /** Nodes left out because the view holds `cap` already. */
  leftOut: number;
}

/** The view keeps at most this many nodes: enough for the mesh's widest product, few enough to stay quick. */
export const maxViewNodes = 5000;

export function emptyView(focus: string): LineageView {
  return {
    focus,
    nodes: new Map([[focus, { id: focus, kind: kindOf(focus), layer: 0 }]]),
    edges: new Map(),
    asked: new Set(),
    columnsShown: new Set(),
    truncated: new Set(),
    leftOut: 0,
  };
}

export function kindOf(id: string): LineageKind {
  const k = id.slice(0, id.indexOf(":"));
  return (lineageKinds as readonly string[]).includes(k) ? (k as LineageKind) : "other";
}

export const edgeKey = (e: Pick<LineageAnswerEdge, "from" | "to" | "origin">) =>
  `${e.from}\u0000${e.to}\u0000${e.origin}`;
export const askedKey = (id: string, direction: "upstream" | "downstream") => `${id}\u0000${direction}`;

/**
 * One answer merged into the view: its nodes placed `depth` layers from the asked node (left for
 * upstream, right for downstream), its edges added once. A node already in the view keeps its
 * layer, so nothing jumps as the graph grows. Past `cap` nodes the nearest come first and the rest
 * are counted in `leftOut`; an edge to a node left out is left out too.
 */
export function mergeAnswer(view: LineageView, answer: LineageAnswer, cap = maxViewNodes): LineageView {
  const nodes = new Map(view.nodes);
  const edges = new Map(view.edges);
  let leftOut = view.leftOut;
  const start = nodes.get(answer.node);
  const base = start?.layer ?? 0;
  if (!start) {
    if (nodes.size < cap) nodes.set(answer.node, { id: answer.node, kind: kindOf(answer.node), layer: base });
    else leftOut++;
  }
  const step = answer.direction === "upstream" ? -1 : 1;
  const ordered = [...answer.nodes].sort((a, b) => a.depth - b.depth || compare(a.id, b.id));
  for (const n of ordered) {
    if (nodes.has(n.id)) continue;
    if (nodes.size >= cap) {
      leftOut++;
      continue;
    }
    nodes.set(n.id, { id: n.id, kind: kindOf(n.id), layer: layerFor(nodes, n.id, base + step * n.depth) });
  }
  for (const e of answer.edges) {
    const key = edgeKey(e);
    if (edges.has(key) || !nodes.has(e.from) || !nodes.has(e.to)) continue;
    edges.set(key, { key, from: e.from, to: e.to, origin: e.origin, details: e.details ?? {} });
  }
  const truncated = new Set(view.truncated);
  if (answer.truncated) truncated.add(answer.node);
  return {
    ...view,
    nodes,
    edges,
    asked: new Set(view.asked).add(askedKey(answer.node, answer.direction)),
    truncated,
    leftOut,
  };
}

/** A column joins its port's layer when the port is in the view (it reads as the port's column); else its distance decides. */
function layerFor(nodes: ReadonlyMap<string, ViewNode>, id: string, byDistance: number): number {
  const p = parseLineageId(id);
  if (p.kind !== "column") return byDistance;
  return nodes.get(`port:${p.product}/${p.port}`)?.layer ?? byDistance;
}

/** A port's columns (from its contract's schema) added in the port's own layer, under it. */
export function addPortColumns(
  view: LineageView,
  portId: string,
  columns: readonly { dataset: string; column: string }[],
  cap = maxViewNodes,
): LineageView {
  const port = view.nodes.get(portId);
  const parsed = parseLineageId(portId);
  if (!port || parsed.kind !== "port") return view;
  const nodes = new Map(view.nodes);
  let leftOut = view.leftOut;
  for (const c of columns) {
    const id = `column:${parsed.product}/${parsed.port}/${c.dataset}.${c.column}`;
    if (nodes.has(id)) continue;
    if (nodes.size >= cap) leftOut++;
    else nodes.set(id, { id, kind: "column", layer: port.layer });
  }
  return { ...view, nodes, leftOut, columnsShown: new Set(view.columnsShown).add(portId) };
}

/** The directions of a node not asked yet: clicking a node asks its next hop both ways. */
export function stepsToAsk(view: LineageView, id: string): ("upstream" | "downstream")[] {
  return (["upstream", "downstream"] as const).filter((d) => !view.asked.has(askedKey(id, d)));
}

export type ParsedId =
  | { kind: "product"; product: string }
  | { kind: "port"; product: string; port: string }
  | { kind: "column"; product: string; port: string; dataset: string; column: string }
  | { kind: "job" | "dataset"; namespace: string; name: string }
  | { kind: "team"; team: string }
  | { kind: "other"; id: string };

/** A node name split into its parts (the platform's node-id grammar, ADR 0033). */
export function parseLineageId(id: string): ParsedId {
  const at = id.indexOf(":");
  const kind = id.slice(0, at);
  const rest = id.slice(at + 1);
  const slash = rest.indexOf("/");
  const head = rest.slice(0, slash);
  const tail = rest.slice(slash + 1);
  if (kind === "product" && rest) return { kind, product: rest };
  if (kind === "team" && rest) return { kind, team: rest };
  if (slash > 0 && tail) {
    if (kind === "job" || kind === "dataset") return { kind, namespace: head, name: tail };
    const parts = tail.split("/");
    if (kind === "port" && parts.length === 1) return { kind, product: head, port: tail };
    if (kind === "column" && parts.length === 2) {
      const [port = "", qualified = ""] = parts;
      const dot = qualified.indexOf(".");
      if (dot > 0)
        return { kind, product: head, port, dataset: qualified.slice(0, dot), column: qualified.slice(dot + 1) };
    }
  }
  return { kind: "other", id };
}

/** What a node shows: a short title and the line under it. */
export function nodeLabel(id: string): { title: string; sub: string } {
  const p = parseLineageId(id);
  switch (p.kind) {
    case "product":
      return { title: p.product, sub: "data product" };
    case "port":
      return { title: p.port, sub: `port of ${p.product}` };
    case "column":
      return { title: p.column, sub: `${p.dataset} · ${p.product}.${p.port}` };
    case "job":
    case "dataset":
      return { title: p.name, sub: `${p.kind} in ${p.namespace}` };
    case "team":
      return { title: p.team, sub: "consumer team" };
    default:
      return { title: p.id, sub: "node" };
  }
}

/** The product a node belongs to, for a link to its page. */
export function productOf(id: string): string | undefined {
  const p = parseLineageId(id);
  return "product" in p ? p.product : undefined;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// Inside a layer: products, then each port followed by its columns, then jobs, datasets, teams.
const kindRank: Record<LineageKind, number> = { product: 0, port: 1, column: 1, job: 2, dataset: 3, team: 4, other: 5 };
function rowKey(n: ViewNode): string {
  const p = parseLineageId(n.id);
  const group = p.kind === "column" ? `port:${p.product}/${p.port}\u0001${p.dataset}.${p.column}` : n.id;
  return `${kindRank[n.kind]}\u0000${group}`;
}

export const lineageSizes = {
  nodeWidth: 220,
  nodeHeight: 44,
  columnHeight: 30,
  /** A column under its port is moved right by this much. */
  indent: 18,
  gapX: 96,
  gapY: 10,
  margin: 20,
} as const;

export interface PlacedViewNode extends ViewNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedViewEdge extends ViewEdge {
  /** The cubic curve: start, two control points, end. */
  points: [number, number, number, number, number, number, number, number];
  /** The box around the curve, to tell whether it is on screen. */
  box: Box;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LineageLayout {
  nodes: PlacedViewNode[];
  edges: PlacedViewEdge[];
  byId: ReadonlyMap<string, PlacedViewNode>;
  /** The node ids of each layer, top to bottom, layers left to right. */
  layers: string[][];
  width: number;
  height: number;
}

/**
 * Columns by layer, rows by kind and name inside a layer, each layer from the top. No crossing
 * minimisation: it is what costs layered layouts seconds at thousands of nodes (ADR 0035), and the
 * row order by name keeps a port's columns under it and a node in place as the graph grows.
 */
export function layoutLineage(view: LineageView): LineageLayout {
  const { nodeWidth, nodeHeight, columnHeight, indent, gapX, gapY, margin } = lineageSizes;
  const byLayer = new Map<number, { node: ViewNode; key: string }[]>();
  for (const node of view.nodes.values()) {
    const list = byLayer.get(node.layer) ?? [];
    list.push({ node, key: rowKey(node) });
    byLayer.set(node.layer, list);
  }
  const layerNumbers = [...byLayer.keys()].sort((a, b) => a - b);
  const nodes: PlacedViewNode[] = [];
  const layers: string[][] = [];
  let height = 0;
  layerNumbers.forEach((l, col) => {
    const list = (byLayer.get(l) ?? []).sort((a, b) => compare(a.key, b.key));
    const x = margin + col * (nodeWidth + gapX);
    let y = margin;
    const ports = new Set<string>();
    const ids: string[] = [];
    for (const { node } of list) {
      let nx = x;
      let w: number = nodeWidth;
      let h: number = nodeHeight;
      if (node.kind === "port") ports.add(node.id);
      if (node.kind === "column") {
        h = columnHeight;
        const p = parseLineageId(node.id);
        if (p.kind === "column" && ports.has(`port:${p.product}/${p.port}`)) {
          nx += indent;
          w -= indent;
        }
      }
      nodes.push({ ...node, x: nx, y, width: w, height: h });
      ids.push(node.id);
      y += h + gapY;
    }
    layers.push(ids);
    height = Math.max(height, y - gapY + margin);
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges: PlacedViewEdge[] = [];
  for (const e of [...view.edges.values()].sort((a, b) => compare(a.key, b.key))) {
    const a = byId.get(e.from);
    const b = byId.get(e.to);
    if (!a || !b) continue;
    const points = edgePoints(a, b);
    const xs = [points[0], points[2], points[4], points[6]];
    const ys = [points[1], points[3], points[5], points[7]];
    const box = {
      x: Math.min(...xs),
      y: Math.min(...ys),
      width: Math.max(...xs) - Math.min(...xs),
      height: Math.max(...ys) - Math.min(...ys),
    };
    edges.push({ ...e, points, box });
  }
  const width = margin * 2 + Math.max(1, layerNumbers.length) * (nodeWidth + gapX) - gapX;
  return { nodes, edges, byId, layers, width, height: Math.max(height, margin * 2 + nodeHeight) };
}

/**
 * Forward, from the right side of one node to the left side of the next layer's; back or inside a
 * layer, out of the left sides and round, a fixed distance out so it stays near its nodes.
 */
function edgePoints(a: PlacedViewNode, b: PlacedViewNode): PlacedViewEdge["points"] {
  const ay = a.y + a.height / 2;
  const by = b.y + b.height / 2;
  if (b.layer > a.layer) {
    const sx = a.x + a.width;
    const ex = b.x;
    const bend = Math.max(30, (ex - sx) / 2);
    return [sx, ay, sx + bend, ay, ex - bend, by, ex, by];
  }
  const out = lineageSizes.gapX / 2;
  return [a.x, ay, a.x - out, ay, b.x - out, by, b.x, by];
}

export function edgePathOf(points: PlacedViewEdge["points"]): string {
  const [sx, sy, c1x, c1y, c2x, c2y, ex, ey] = points;
  return `M${sx},${sy} C${c1x},${c1y} ${c2x},${c2y} ${ex},${ey}`;
}

const meets = (a: Box, b: Box) =>
  a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height;

/**
 * What lies inside `rect` (layout coordinates, widened by `overscan`): only these are drawn, so
 * scrolling a graph of thousands of nodes draws a screenful. `keep` (the selected or focused
 * node) is always in, so keyboard focus never lands on a node that is not there.
 */
export function visibleIn(
  layout: LineageLayout,
  rect: Box,
  overscan = 200,
  keep: readonly string[] = [],
): { nodes: PlacedViewNode[]; edges: PlacedViewEdge[] } {
  const r = {
    x: rect.x - overscan,
    y: rect.y - overscan,
    width: rect.width + 2 * overscan,
    height: rect.height + 2 * overscan,
  };
  const nodes = layout.nodes.filter((n) => meets(n, r) || keep.includes(n.id));
  const edges = layout.edges.filter((e) => meets(e.box, r));
  return { nodes, edges };
}

/**
 * A column's path: every column upstream of it and downstream of it along column edges, and the
 * edges on the way. Other kinds of nodes end the path.
 */
export function columnPath(view: LineageView, columnId: string): { nodes: Set<string>; edges: Set<string> } {
  const nodes = new Set([columnId]);
  const keys = new Set<string>();
  const out = new Map<string, ViewEdge[]>();
  const inn = new Map<string, ViewEdge[]>();
  for (const e of view.edges.values()) {
    if (kindOf(e.from) !== "column" || kindOf(e.to) !== "column") continue;
    out.set(e.from, [...(out.get(e.from) ?? []), e]);
    inn.set(e.to, [...(inn.get(e.to) ?? []), e]);
  }
  for (const [links, end] of [
    [inn, "from"],
    [out, "to"],
  ] as const) {
    const queue = [columnId];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const id = queue.shift() as string;
      for (const e of links.get(id) ?? []) {
        keys.add(e.key);
        const next = e[end];
        nodes.add(next);
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  }
  return { nodes, edges: keys };
}

/**
 * The transformations on a column edge in words: identity, transformation, aggregation, masking
 * for the values; the clause names (filter, join, group by…) for columns that decide the rows.
 */
export function transformationsOf(edge: Pick<ViewEdge, "details">): string[] {
  const list = Array.isArray(edge.details.transformations) ? (edge.details.transformations as unknown[]) : [];
  const words: string[] = [];
  for (const t of list) {
    if (!t || typeof t !== "object") continue;
    const { type, subtype, masking } = t as { type?: unknown; subtype?: unknown; masking?: unknown };
    const sub = typeof subtype === "string" ? subtype.toLowerCase().replaceAll("_", " ") : "";
    if (type === "DIRECT" && sub) words.push(sub);
    else if (type === "INDIRECT") words.push(sub ? `${sub} (decides rows)` : "decides rows");
    if (masking === true) words.push("masking");
  }
  if (words.length === 0 && edge.details.indirect === true) words.push("decides rows");
  return [...new Set(words)];
}

/** "12 nodes, 15 edges". */
export function countText(view: Pick<LineageView, "nodes" | "edges">): string {
  const n = view.nodes.size;
  const m = view.edges.size;
  return `${n} node${n === 1 ? "" : "s"}, ${m} edge${m === 1 ? "" : "s"}`;
}

/** The next node for an arrow key: left and right follow edges, up and down move inside a layer. */
export function neighbourFor(
  layout: LineageLayout,
  view: LineageView,
  id: string,
  key: "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown",
): string | undefined {
  const here = layout.byId.get(id);
  if (!here) return undefined;
  if (key === "ArrowUp" || key === "ArrowDown") {
    const layer = layout.layers.find((l) => l.includes(id)) ?? [];
    return layer[layer.indexOf(id) + (key === "ArrowUp" ? -1 : 1)];
  }
  const left = key === "ArrowLeft";
  const near: PlacedViewNode[] = [];
  for (const e of view.edges.values()) {
    const other = e.to === id ? e.from : e.from === id ? e.to : undefined;
    const n = other ? layout.byId.get(other) : undefined;
    if (n && (left ? n.layer < here.layer : n.layer > here.layer)) near.push(n);
  }
  near.sort((a, b) => Math.abs(a.y - here.y) - Math.abs(b.y - here.y) || compare(a.id, b.id));
  if (near[0]) return near[0].id;
  // No edge that way: the nearest node of the next layer.
  const col = layout.layers.findIndex((l) => l.includes(id));
  const next = layout.layers[col + (left ? -1 : 1)] ?? [];
  let best: string | undefined;
  let dist = Number.POSITIVE_INFINITY;
  for (const other of next) {
    const n = layout.byId.get(other);
    if (n && Math.abs(n.y - here.y) < dist) {
      dist = Math.abs(n.y - here.y);
      best = other;
    }
  }
  return best;
}
