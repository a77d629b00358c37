import type { Migration } from "./migration.js";

/**
 * Grants in the store (ADR 0027): for an agreement on a port served by a database that holds
 * grants (PostgreSQL), the role and masking views created there. One row per agreement; `state`
 * says whether the store is in line with the agreement (`granted`, `revoked`), could not be
 * brought in line yet (`failed`, retried by the scheduler), or holds nothing for it (`none`: the
 * port's data is not in such a store). The role's password is never stored: `login_issued_at`
 * only says that it was shown.
 */
export const agreementGrantsMigration: Migration = {
  id: 25,
  name: "agreement-grants",
  sql: /* sql */ `
CREATE TABLE agreement_grants (
  agreement_id text PRIMARY KEY REFERENCES agreements (id),
  state text NOT NULL CHECK (state IN ('none', 'granted', 'failed', 'revoked')),
  engine text,
  server text,
  role text,
  views jsonb NOT NULL DEFAULT '[]',
  contract_version text,
  fingerprint text,
  error text,
  login_issued_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
};
