import { describe, expect, it } from "vitest";
import { edgePath, type GraphEdge, layoutGraph, layoutSizes } from "./graph-layout.js";

describe("layoutGraph", () => {
  const edges = [
    { from: "sales.orders", to: "sales.consent", label: "orders" },
    { from: "sales.consent", to: "customer.cohorts", label: "consented" },
    { from: "crm.customers", to: "sales.consent", label: "customers" },
  ];
  const ids = ["customer.cohorts", "sales.consent", "sales.orders", "crm.customers", "lonely"];

  it("puts upstream products left of the focus and readers right of it", () => {
    const { nodes } = layoutGraph("sales.consent", ids, edges);
    const layer = Object.fromEntries(nodes.map((n) => [n.id, n.layer]));
    expect(layer).toEqual({
      "crm.customers": -1,
      "sales.orders": -1,
      "sales.consent": 0,
      "customer.cohorts": 1,
      lonely: 2,
    });
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.x]));
    expect(x["sales.orders"]).toBeLessThan(x["sales.consent"] as number);
    expect(x["sales.consent"]).toBeLessThan(x["customer.cohorts"] as number);
  });

  it("is deterministic whatever the input order", () => {
    const a = layoutGraph("sales.consent", ids, edges);
    const b = layoutGraph("sales.consent", [...ids].reverse(), [...edges].reverse());
    expect(b).toEqual(a);
  });

  it("never overlaps two nodes and keeps every node inside the canvas", () => {
    const many = Array.from({ length: 300 }, (_, i) => `p${String(i).padStart(3, "0")}`);
    const star = many.slice(1).map((id) => ({ from: id, to: "p000", label: "x" }));
    const { nodes, width, height } = layoutGraph("p000", many, star);
    const seen = new Set(nodes.map((n) => `${n.x},${n.y}`));
    expect(seen.size).toBe(300);
    for (const n of nodes) {
      expect(n.x + layoutSizes.nodeWidth).toBeLessThanOrEqual(width);
      expect(n.y + layoutSizes.nodeHeight).toBeLessThanOrEqual(height);
    }
  });

  it("survives cycles and a focus that is not in the graph", () => {
    const cycle = [
      { from: "a", to: "b", label: "" },
      { from: "b", to: "a", label: "" },
    ];
    expect(layoutGraph("a", ["a", "b"], cycle).nodes.map((n) => [n.id, n.layer])).toEqual([
      ["b", -1],
      ["a", 0],
    ]);
    expect(layoutGraph("zzz", ["a", "b"], cycle).nodes).toHaveLength(2);
  });

  it("draws edges from the right side of the source to the left side of the target", () => {
    const d = edgePath({ id: "a", layer: 0, x: 0, y: 0 }, { id: "b", layer: 1, x: 300, y: 100 });
    expect(d).toBe("M200,28 C250,28 250,128 300,128");
  });

  it("keeps every node and every edge curve inside the canvas while neighbourhoods are expanded", () => {
    // Cohorts read consent and orders, and consent reads orders: an edge inside the leftmost
    // layer. Attribution reads orders and campaigns, which is farther from the focus: a back edge.
    const mesh: GraphEdge[] = [
      { from: "sales.orders", to: "sales.consent", label: "orders" },
      { from: "sales.consent", to: "customer.cohorts", label: "consented" },
      { from: "sales.orders", to: "customer.cohorts", label: "orders" },
      { from: "crm.customers", to: "sales.orders", label: "customers" },
      { from: "customer.cohorts", to: "marketing.campaigns", label: "cohorts" },
      { from: "marketing.campaigns", to: "marketing.attribution", label: "campaigns" },
      { from: "sales.orders", to: "marketing.attribution", label: "orders" },
      { from: "marketing.attribution", to: "finance.budget", label: "attribution", kind: "agreement" },
    ];
    const nodes = new Set(["customer.cohorts"]);
    const drawn: GraphEdge[] = [];
    const { nodeWidth, nodeHeight } = layoutSizes;
    for (const id of ["customer.cohorts", "sales.consent", "sales.orders", "marketing.campaigns", "crm.customers"]) {
      // What the map does on a click: the node's inputs and its readers join the graph.
      for (const e of mesh.filter((m) => m.from === id || m.to === id)) {
        nodes.add(e.from).add(e.to);
        if (!drawn.includes(e)) drawn.push(e);
      }
      const layout = layoutGraph("customer.cohorts", [...nodes], drawn);
      expect(layout.edges).toHaveLength(drawn.length);
      for (const n of layout.nodes) {
        expect(n.x, n.id).toBeGreaterThanOrEqual(0);
        expect(n.x + nodeWidth, n.id).toBeLessThanOrEqual(layout.width);
        expect(n.y, n.id).toBeGreaterThanOrEqual(0);
        expect(n.y + nodeHeight, n.id).toBeLessThanOrEqual(layout.height);
      }
      for (const e of layout.edges) {
        for (const p of [e.curve.start, e.curve.c1, e.curve.c2, e.curve.end]) {
          expect(p.x, `${e.from} > ${e.to}`).toBeGreaterThanOrEqual(0);
          expect(p.x, `${e.from} > ${e.to}`).toBeLessThanOrEqual(layout.width);
          expect(p.y, `${e.from} > ${e.to}`).toBeGreaterThanOrEqual(0);
          expect(p.y, `${e.from} > ${e.to}`).toBeLessThanOrEqual(layout.height);
        }
      }
    }
    // The last picture holds both kinds of backward edge, so the test saw what used to leave the canvas.
    const final = layoutGraph("customer.cohorts", [...nodes], drawn);
    const layer = new Map(final.nodes.map((n) => [n.id, n.layer]));
    const back = final.edges.filter((e) => (layer.get(e.from) ?? 0) >= (layer.get(e.to) ?? 0));
    expect(back.map((e) => `${e.from} > ${e.to}`)).toEqual([
      "marketing.campaigns > marketing.attribution",
      "sales.orders > sales.consent",
    ]);
  });

  it("sizes the canvas to its content: the leftmost thing drawn is at the margin", () => {
    const { nodes, edges, width } = layoutGraph("b", ["a", "b"], [{ from: "a", to: "b", label: "" }]);
    const left = Math.min(...nodes.map((n) => n.x), ...edges.flatMap((e) => [e.curve.c1.x, e.curve.c2.x]));
    expect(left).toBe(layoutSizes.margin);
    expect(width).toBe(layoutSizes.margin * 2 + 2 * layoutSizes.nodeWidth + layoutSizes.gapX);
  });
});
