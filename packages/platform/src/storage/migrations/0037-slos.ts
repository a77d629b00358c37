import type { Migration } from "./migration.js";

/** Service level objectives and availability probes (issue 17, ADR 0039). */
export const slosMigration: Migration = {
  id: 37,
  name: "slos",
  sql: /* sql */ `
SELECT 1;
`,
};
