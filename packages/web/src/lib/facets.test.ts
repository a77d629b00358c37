import { describe, expect, it } from "vitest";
import type { ProductSummary } from "../api/types.js";
import { facetValues } from "./facets.js";

const product = (id: string, domain: string | null, tags: string[], team = "t"): ProductSummary => ({
  id,
  name: id,
  version: "1.0.0",
  status: "active",
  domain,
  team,
  summary: "",
  tags,
  updatedAt: "2026-01-01T00:00:00Z",
});

describe("facetValues", () => {
  it("counts each value once per product, most common first, then by name", () => {
    const f = facetValues([
      product("a", "sales", ["pii", "pii", "orders"]),
      product("b", "climate", ["daily"]),
      product("c", "climate", ["daily", "pii"]),
      product("d", null, []),
    ]);
    expect(f.domain).toEqual([
      { value: "climate", count: 2 },
      { value: "sales", count: 1 },
    ]);
    expect(f.tag).toEqual([
      { value: "daily", count: 2 },
      { value: "pii", count: 2 },
      { value: "orders", count: 1 },
    ]);
  });

  it("lists the certification levels the API filters by, without counts", () => {
    expect(facetValues([]).certification.map((v) => v.value)).toEqual(["authoritative", "curated", "raw", "none"]);
  });
});
