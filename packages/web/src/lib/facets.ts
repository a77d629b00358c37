import type { ProductSummary } from "../api/types.js";

export type FacetKey = "domain" | "team" | "tag" | "status" | "certification";

export const facetLabels: Record<FacetKey, string> = {
  domain: "Domain",
  team: "Owner team",
  tag: "Tag",
  status: "Status",
  certification: "Certification",
};

/**
 * Facets whose values the API defines rather than the products (the `certification` query takes
 * a level and means "at least"): listed as they are, without counts.
 */
export const fixedFacetValues: Partial<Record<FacetKey, string[]>> = {
  certification: ["authoritative", "curated", "raw", "none"],
};

const valuesOf: Record<FacetKey, (p: ProductSummary) => (string | null)[]> = {
  domain: (p) => [p.domain],
  team: (p) => [p.team],
  tag: (p) => p.tags,
  status: (p) => [p.status],
  certification: () => [],
};

/** Each facet's values with how many of `products` carry them, most common first, then by name. */
export function facetValues(products: readonly ProductSummary[]): Record<FacetKey, { value: string; count: number }[]> {
  const out = {} as Record<FacetKey, { value: string; count: number }[]>;
  for (const key of Object.keys(valuesOf) as FacetKey[]) {
    const counts = new Map<string, number>();
    for (const p of products) {
      for (const v of new Set(valuesOf[key](p))) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const fixed = fixedFacetValues[key];
    if (fixed) {
      out[key] = fixed.map((value) => ({ value, count: 0 }));
      continue;
    }
    out[key] = [...counts]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  }
  return out;
}
