/**
 * SQL (for the registry list) selecting the products whose certification is one of the levels in
 * the text[] parameter `param` now: the latest evaluation's level, while its tests are in their window.
 */
export const certifiedProductsSql = (param: string): string => `SELECT product_id FROM (
    SELECT DISTINCT ON (product_id) product_id, level, valid_until FROM policy_evaluations
    ORDER BY product_id, id DESC
  ) latest WHERE level = ANY(${param}::text[]) AND (valid_until IS NULL OR valid_until > now())`;

/** `certification=curated` lists curated and authoritative products: a level and every level above it. */
export function levelsFrom(level: string): string[] {
  const order = ["raw", "curated", "authoritative"];
  if (level === "none") return ["none"];
  const i = order.indexOf(level);
  return i < 0 ? [] : order.slice(i);
}
