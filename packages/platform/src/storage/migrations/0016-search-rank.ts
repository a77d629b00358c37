import type { Migration } from "./migration.js";

/**
 * Ranking reads a second, small tsvector: names, tags, terms, purpose and schema names (weights
 * A–C), without the prose of weight D. The full `search` vector of a product is kilobytes and
 * stored out of line; ranking every match with it read and decompressed it twice per match
 * (10× the cost of matching). Matching still uses `search` and its GIN index, so a mere mention
 * in prose is found; it just ranks below every name, tag and field hit.
 */
export const searchRankMigration: Migration = {
  id: 16,
  name: "search-rank",
  sql: /* sql */ `
ALTER TABLE data_products ADD COLUMN search_rank tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, search_a), 'A') ||
  setweight(to_tsvector('english'::regconfig, search_b), 'B') ||
  setweight(to_tsvector('english'::regconfig, search_c), 'C')
) STORED;
`,
};
