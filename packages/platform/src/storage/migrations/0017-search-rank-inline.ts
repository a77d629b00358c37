import type { Migration } from "./migration.js";

/**
 * A product row is kilobytes of search text; PostgreSQL moves its largest values out of line, and
 * the ranking vector (≈ 1 KB) was among them, so ranking a match read several TOAST pages. MAIN
 * keeps it in the row (compressed) and moves the prose columns out first. Rows written from now on.
 */
export const searchRankInlineMigration: Migration = {
  id: 17,
  name: "search-rank-inline",
  sql: /* sql */ `
ALTER TABLE data_products ALTER COLUMN search_rank SET STORAGE MAIN;
`,
};
