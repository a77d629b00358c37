import type { Migration } from "./migration.js";

/**
 * GIN indexes buffer new entries in a pending list that only VACUUM merges; until then the planner
 * prices the index so high that search reads every product. PGlite never runs autovacuum, so the
 * list would grow forever there. Publishing is rare next to searching: merge on every insert.
 */
export const searchIndexesMigration: Migration = {
  id: 2,
  name: "search-indexes",
  sql: /* sql */ `
ALTER INDEX data_products_search SET (fastupdate = off);
ALTER INDEX data_products_words SET (fastupdate = off);
SELECT gin_clean_pending_list('data_products_search'::regclass);
SELECT gin_clean_pending_list('data_products_words'::regclass);
`,
};
