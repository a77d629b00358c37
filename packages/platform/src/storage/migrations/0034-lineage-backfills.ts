import type { Migration } from "./migration.js";

/**
 * Which one-time fills of the lineage graph are done (ADR 0033): the declared edges of the products
 * published before the graph existed are drawn once, and this says so, whatever was published since.
 */
export const lineageBackfillsMigration: Migration = {
  id: 34,
  name: "lineage-backfills",
  sql: /* sql */ `
CREATE TABLE lineage_backfills (
  name text PRIMARY KEY,
  done_at timestamptz NOT NULL DEFAULT now()
);
`,
};
