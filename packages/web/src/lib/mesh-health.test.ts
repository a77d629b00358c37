import { describe, expect, it } from "vitest";
import type { DomainHealth, ProductHealth } from "../api/types.js";
import { healthLabel, healthStatuses, meshTotals, orderDomains, orderProducts } from "./mesh-health.js";

const product = (over: Partial<ProductHealth>): ProductHealth => ({
  id: "p",
  name: "P",
  domain: "d",
  team: "t",
  status: "healthy",
  openIncidents: 0,
  worstSeverity: null,
  breachedSlos: 0,
  reasons: [],
  ...over,
});
const domain = (name: string | null, products: ProductHealth[]): DomainHealth => ({
  domain: name,
  healthy: products.filter((p) => p.status === "healthy").length,
  degraded: products.filter((p) => p.status === "degraded").length,
  failing: products.filter((p) => p.status === "failing").length,
  products,
});

describe("mesh health ordering", () => {
  it("puts failing products first, then the worst incident, then the most incidents", () => {
    const list = [
      product({ id: "ok", name: "A" }),
      product({ id: "deg", status: "degraded", name: "B" }),
      product({ id: "fail-low", status: "failing", worstSeverity: "low", openIncidents: 5 }),
      product({ id: "fail-crit", status: "failing", worstSeverity: "critical", openIncidents: 1 }),
      product({ id: "unknown", status: "unknown" }),
    ];
    expect(orderProducts(list).map((p) => p.id)).toEqual(["fail-crit", "fail-low", "deg", "unknown", "ok"]);
  });

  it("puts the domains with the most failing first, products inside ordered, no domain last", () => {
    const ordered = orderDomains([
      domain(null, [product({ status: "failing" })]),
      domain("climate", [product({ id: "x" })]),
      domain("sales", [product({ id: "ok" }), product({ id: "bad", status: "failing" })]),
      domain("finance", [product({ status: "degraded" })]),
    ]);
    expect(ordered.map((d) => d.domain)).toEqual(["sales", null, "finance", "climate"]);
    expect(ordered[0]?.products.map((p) => p.id)).toEqual(["bad", "ok"]);
  });

  it("counts the mesh's products by status", () => {
    expect(
      meshTotals([
        domain("a", [product({}), product({ status: "failing" })]),
        domain("b", [product({ status: "unknown" })]),
      ]),
    ).toEqual({ healthy: 1, degraded: 0, failing: 1, unknown: 1 });
  });

  it("names each status in words, worst first, and shows an unknown one as it came", () => {
    expect(healthStatuses.map(healthLabel)).toEqual(["failing", "degraded", "healthy", "not measured"]);
    expect(healthLabel("on-fire")).toBe("on-fire");
  });
});
