import { describe, expect, it } from "vitest";
import { facetValues } from "./facets.js";

const facets = {
  domain: [
    { value: "climate", count: 2 },
    { value: "sales", count: 1 },
  ],
  team: [{ value: "t", count: 3 }],
  tag: [],
  status: [{ value: "active", count: 3 }],
};

describe("facetValues", () => {
  it("shows the API's counts, and a chosen value no match carries first, so it can be unchosen", () => {
    const f = facetValues(facets, { domain: "webshop", team: "t" });
    expect(f.domain).toEqual([
      { value: "webshop", count: 0 },
      { value: "climate", count: 2 },
      { value: "sales", count: 1 },
    ]);
    expect(f.team).toEqual([{ value: "t", count: 3 }]);
    expect(f.tag).toEqual([]);
  });

  it("lists the certification levels the API filters by, without counts", () => {
    expect(facetValues(facets).certification.map((v) => v.value)).toEqual(["authoritative", "curated", "raw", "none"]);
  });
});
