import { describe, expect, it } from "vitest";
import type { LineageAnswer } from "../api/types.js";
import {
  addPortColumns,
  columnPath,
  countText,
  emptyView,
  type LineageView,
  layoutLineage,
  mergeAnswer,
  neighbourFor,
  nodeLabel,
  parseLineageId,
  stepsToAsk,
  transformationsOf,
  visibleIn,
} from "./lineage-graph.js";

const seen = { firstSeen: "2026-01-01T00:00:00.000Z", lastSeen: "2026-01-02T00:00:00.000Z" };
const edge = (from: string, to: string, origin = "declared", details: Record<string, unknown> = {}) => ({
  from,
  to,
  origin,
  details,
  ...seen,
});

const product = "product:climate.temperature";
const out = "port:climate.temperature/daily-temperature";
const readings = "port:climate.weather-station-readings/readings";

const down: LineageAnswer = {
  node: product,
  direction: "downstream",
  depth: 1,
  nodes: [
    { id: product, kind: "product", depth: 0 },
    { id: out, kind: "port", depth: 1 },
  ],
  edges: [edge(product, out)],
  truncated: false,
};
const up: LineageAnswer = {
  node: product,
  direction: "upstream",
  depth: 1,
  nodes: [
    { id: product, kind: "product", depth: 0 },
    { id: readings, kind: "port", depth: 1 },
  ],
  edges: [edge(readings, product)],
  truncated: false,
};

const start = () => mergeAnswer(mergeAnswer(emptyView(product), down), up);

describe("mergeAnswer", () => {
  it("puts upstream nodes left and downstream nodes right of the product", () => {
    const view = start();
    expect(Object.fromEntries([...view.nodes.values()].map((n) => [n.id, n.layer]))).toEqual({
      [product]: 0,
      [out]: 1,
      [readings]: -1,
    });
    expect(countText(view)).toBe("3 nodes, 2 edges");
    expect(stepsToAsk(view, product)).toEqual([]);
    expect(stepsToAsk(view, out)).toEqual(["upstream", "downstream"]);
  });

  it("places the next hop of an expanded node from its own layer, and dedupes", () => {
    const next: LineageAnswer = {
      node: out,
      direction: "downstream",
      depth: 2,
      nodes: [
        { id: out, kind: "port", depth: 0 },
        { id: "product:climate.physical-risk", kind: "product", depth: 1 },
        { id: "team:insurance", kind: "team", depth: 1 },
        { id: "port:climate.physical-risk/asset-risk-scores", kind: "port", depth: 2 },
      ],
      edges: [
        edge(out, "product:climate.physical-risk"),
        edge(out, "team:insurance", "agreement"),
        edge("product:climate.physical-risk", "port:climate.physical-risk/asset-risk-scores"),
        edge(product, out),
      ],
      truncated: true,
    };
    const view = mergeAnswer(mergeAnswer(start(), next), next);
    expect(view.nodes.get("product:climate.physical-risk")?.layer).toBe(2);
    expect(view.nodes.get("port:climate.physical-risk/asset-risk-scores")?.layer).toBe(3);
    expect(view.nodes.get("team:insurance")?.kind).toBe("team");
    // The product→port edge came twice, the whole answer twice: each edge is in once.
    expect(view.edges.size).toBe(5);
    expect(view.truncated).toEqual(new Set([out]));
    // A node keeps the layer it was first given.
    expect(view.nodes.get(product)?.layer).toBe(0);
  });

  it("keeps a node of an unknown kind, as other", () => {
    const view = mergeAnswer(start(), {
      ...down,
      node: out,
      nodes: [{ id: "contract:x/y", kind: "contract", depth: 1 }],
      edges: [edge(out, "contract:x/y", "future")],
    });
    expect(view.nodes.get("contract:x/y")?.kind).toBe("other");
    expect([...view.edges.values()].map((e) => e.origin)).toContain("future");
    expect(nodeLabel("contract:x/y").title).toBe("contract:x/y");
  });

  it("stops at the cap, nearest first, and drops edges to nodes left out", () => {
    const wide: LineageAnswer = {
      node: product,
      direction: "downstream",
      depth: 2,
      nodes: [
        { id: "port:p/z", kind: "port", depth: 2 },
        { id: "port:p/a", kind: "port", depth: 1 },
        { id: "port:p/b", kind: "port", depth: 1 },
      ],
      edges: [edge(product, "port:p/a"), edge(product, "port:p/b"), edge("port:p/a", "port:p/z")],
      truncated: false,
    };
    const view = mergeAnswer(emptyView(product), wide, 3);
    expect([...view.nodes.keys()].sort()).toEqual(["port:p/a", "port:p/b", product]);
    expect(view.leftOut).toBe(1);
    expect(view.edges.size).toBe(2);
  });
});

describe("port columns and column paths", () => {
  const col = (port: string, c: string) => `column:${port.slice(5)}/${c}`;
  const mean = col(out, "daily_temperature.mean_temperature_c");
  const temp = col(readings, "readings.temperature_c");
  const risk = "column:climate.physical-risk/asset-risk-scores/asset_risk_scores.risk_score";

  it("adds a port's columns in the port's layer, right under it", () => {
    const view = addPortColumns(start(), out, [
      { dataset: "daily_temperature", column: "mean_temperature_c" },
      { dataset: "daily_temperature", column: "day" },
    ]);
    expect(view.nodes.get(mean)).toEqual({ id: mean, kind: "column", layer: 1 });
    expect(view.columnsShown.has(out)).toBe(true);
    const layout = layoutLineage(view);
    const layer = layout.layers[2] ?? [];
    expect(layer).toEqual([out, col(out, "daily_temperature.day"), mean]);
    const port = layout.byId.get(out);
    const column = layout.byId.get(mean);
    expect(column?.x).toBeGreaterThan(port?.x ?? 0);
    expect(addPortColumns(view, "product:x", [{ dataset: "a", column: "b" }])).toBe(view);
  });

  it("follows column edges both ways and names the transformations", () => {
    let view: LineageView = addPortColumns(start(), out, [
      { dataset: "daily_temperature", column: "mean_temperature_c" },
    ]);
    view = mergeAnswer(view, {
      node: mean,
      direction: "upstream",
      depth: 1,
      nodes: [{ id: temp, kind: "column", depth: 1 }],
      edges: [
        edge(temp, mean, "pipeline", {
          transformations: [
            { type: "DIRECT", subtype: "AGGREGATION" },
            { type: "INDIRECT", subtype: "GROUP_BY" },
          ],
        }),
      ],
      truncated: false,
    });
    view = mergeAnswer(view, {
      node: mean,
      direction: "downstream",
      depth: 1,
      nodes: [{ id: risk, kind: "column", depth: 1 }],
      edges: [
        edge(mean, risk, "pipeline", {
          transformations: [{ type: "DIRECT", subtype: "TRANSFORMATION", masking: true }],
        }),
      ],
      truncated: false,
    });
    // The readings port is in the view: its column goes under it, not by its distance.
    expect(view.nodes.get(temp)?.layer).toBe(-1);
    expect(view.nodes.get(risk)?.layer).toBe(2);
    const path = columnPath(view, risk);
    expect([...path.nodes].sort()).toEqual([risk, mean, temp].sort());
    expect(path.edges.size).toBe(2);
    const [first, second] = [...view.edges.values()].filter((e) => e.origin === "pipeline");
    expect(first && transformationsOf(first)).toEqual(["aggregation", "group by (decides rows)"]);
    expect(second && transformationsOf(second)).toEqual(["transformation", "masking"]);
    expect(transformationsOf({ details: { indirect: true } })).toEqual(["decides rows"]);
    expect(transformationsOf({ details: { transformations: "nonsense" } })).toEqual([]);
  });

  it("parses node names and labels them", () => {
    expect(parseLineageId(mean)).toEqual({
      kind: "column",
      product: "climate.temperature",
      port: "daily-temperature",
      dataset: "daily_temperature",
      column: "mean_temperature_c",
    });
    expect(parseLineageId("job:quanta/climate.temperature.pipeline")).toEqual({
      kind: "job",
      namespace: "quanta",
      name: "climate.temperature.pipeline",
    });
    expect(parseLineageId("port:broken")).toEqual({ kind: "other", id: "port:broken" });
    expect(nodeLabel(out)).toEqual({ title: "daily-temperature", sub: "port of climate.temperature" });
  });
});

/**
 * A mesh of `layers` layers of `width` nodes: each node has two edges into the next layer, and each
 * node of the last layer two back into the one before it (a cycle the layout must survive).
 */
function bigView(layers: number, width: number): LineageView {
  let view = emptyView("product:p0-0");
  const id = (l: number, i: number) => (l % 2 === 0 ? `product:p${l}-${i}` : `port:p${l}/x${i}`);
  const target = (l: number, i: number, k: number) => (i * 7 + k * 131 + l * 17) % width;
  for (let l = 0; l < layers - 1; l++) {
    const nodes = Array.from({ length: width }, (_, i) => ({ id: id(l + 1, i), kind: "port", depth: l + 1 }));
    const edges = [];
    for (let i = 0; i < width; i++) for (let k = 0; k < 2; k++) edges.push(edge(id(l, i), id(l + 1, target(l, i, k))));
    if (l === layers - 2)
      for (let i = 0; i < width; i++)
        for (let k = 0; k < 2; k++) edges.push(edge(id(l + 1, i), id(l, target(l, i, k))));
    if (l === 0)
      nodes.push(...Array.from({ length: width - 1 }, (_, i) => ({ id: id(0, i + 1), kind: "product", depth: 0 })));
    view = mergeAnswer(view, {
      node: "product:p0-0",
      direction: "downstream",
      depth: layers,
      nodes,
      edges,
      truncated: false,
    });
  }
  return view;
}

describe("a graph of thousands of nodes", () => {
  it("lays out 3,000 nodes and 6,000 edges quickly, the same way every time", () => {
    const t0 = performance.now();
    const view = bigView(10, 300);
    const merged = performance.now() - t0;
    expect(view.nodes.size).toBe(3000);
    expect(view.edges.size).toBe(6000);
    const t1 = performance.now();
    const a = layoutLineage(view);
    const took = performance.now() - t1;
    console.log(
      `lineage layout: ${view.nodes.size} nodes, ${view.edges.size} edges, merge ${Math.round(merged)} ms, layout ${Math.round(took)} ms`,
    );
    expect(took).toBeLessThan(2000);
    const b = layoutLineage(view);
    expect(b.nodes).toEqual(a.nodes);
    expect(b.edges).toEqual(a.edges);
    // A view built from the same answers in another order lays out the same.
    const reordered: LineageView = {
      ...view,
      nodes: new Map([...view.nodes].reverse()),
      edges: new Map([...view.edges].reverse()),
    };
    expect(layoutLineage(reordered).nodes).toEqual(a.nodes);
    // No two nodes overlap and every node is inside the canvas.
    expect(new Set(a.nodes.map((n) => `${n.x},${n.y}`)).size).toBe(3000);
    for (const n of a.nodes) {
      expect(n.x + n.width).toBeLessThanOrEqual(a.width);
      expect(n.y + n.height).toBeLessThanOrEqual(a.height);
    }
    // A screenful draws a few dozen nodes, not thousands, and keeps the focused node.
    const t2 = performance.now();
    const shown = visibleIn(a, { x: 0, y: 0, width: 1200, height: 600 }, 100, ["product:p0-299"]);
    console.log(
      `lineage cull: ${shown.nodes.length} nodes, ${shown.edges.length} edges on screen in ${Math.round(performance.now() - t2)} ms`,
    );
    expect(shown.nodes.length).toBeLessThan(120);
    expect(shown.nodes.map((n) => n.id)).toContain("product:p0-299");
    expect(shown.edges.length).toBeLessThan(view.edges.size / 2);
  });

  it("moves along edges and inside layers with the arrow keys", () => {
    const view = start();
    const layout = layoutLineage(view);
    expect(neighbourFor(layout, view, product, "ArrowRight")).toBe(out);
    expect(neighbourFor(layout, view, product, "ArrowLeft")).toBe(readings);
    expect(neighbourFor(layout, view, readings, "ArrowLeft")).toBeUndefined();
    expect(neighbourFor(layout, view, product, "ArrowDown")).toBeUndefined();
  });
});
