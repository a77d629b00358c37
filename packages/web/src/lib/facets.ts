import type { Facets, FacetValue } from "../api/types.js";

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

/**
 * Each facet's values as the filter list shows them: the counts `GET /api/facets` gave for the
 * current search, the fixed certification levels, and a chosen value first when no match carries it
 * any more (so it can still be unchosen).
 */
export function facetValues(
  facets: Facets,
  chosen: Partial<Record<FacetKey, string | undefined>> = {},
): Record<FacetKey, FacetValue[]> {
  const out = {} as Record<FacetKey, FacetValue[]>;
  for (const key of Object.keys(facetLabels) as FacetKey[]) {
    const fixed = fixedFacetValues[key];
    const values = fixed
      ? fixed.map((value) => ({ value, count: 0 }))
      : facets[key as Exclude<FacetKey, "certification">];
    const selected = chosen[key];
    out[key] =
      selected && !values.some((v) => v.value === selected) ? [{ value: selected, count: 0 }, ...values] : values;
  }
  return out;
}
