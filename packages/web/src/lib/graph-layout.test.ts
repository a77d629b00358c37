import { describe, expect, it } from "vitest";
import { edgePath, layoutGraph, layoutSizes } from "./graph-layout.js";

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
});
