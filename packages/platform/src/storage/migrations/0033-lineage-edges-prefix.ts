import type { Migration } from "./migration.js";

/**
 * The edges into every node under a prefix (`column:<product>/<port>/`), found by index whatever
 * the database's collation: what a publish or a run replaces (ADR 0033). Without it each replace
 * read the whole table, about 230 ms at a million edges on PGlite.
 */
export const lineageEdgesPrefixMigration: Migration = {
  id: 33,
  name: "lineage-edges-prefix",
  sql: /* sql */ `
CREATE INDEX lineage_edges_to_prefix ON lineage_edges (origin, to_node text_pattern_ops);
`,
};
