import type { Migration } from "./migration.js";

/**
 * Where an agreement's grant was made: the contract's server entry as written (variables
 * unresolved, so no secret) and its environment. Revoking uses it, not the port's server of the
 * moment, so a grant is taken back where it is even after the port moved (ADR 0027).
 */
export const grantTargetsMigration: Migration = {
  id: 30,
  name: "grant-targets",
  sql: /* sql */ `
ALTER TABLE agreement_grants ADD COLUMN target jsonb;
`,
};
