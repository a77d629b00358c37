import type { Migration } from "./migration.js";

/**
 * Secrets the platform holds per environment, for `${NAME}` references in contract servers (ADR
 * 0026). Only ciphertext is stored (AES-256-GCM, `v1:` + base64); the checks repeat the rules of
 * `secrets/secret-store.ts` so no other writer can store a name a contract could not reference.
 */
export const secretsMigration: Migration = {
  id: 24,
  name: "secrets",
  sql: /* sql */ `
CREATE TABLE platform_secrets (
  environment text NOT NULL CHECK (environment ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'),
  ciphertext text NOT NULL CHECK (ciphertext LIKE 'v1:%'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (environment, name)
);
`,
};
