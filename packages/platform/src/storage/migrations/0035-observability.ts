import type { Migration } from "./migration.js";

/** Measurements, profiles and incidents (issue 17, ADR 0038). */
export const observabilityMigration: Migration = {
  id: 35,
  name: "observability",
  sql: /* sql */ `
SELECT 1;
`,
};
