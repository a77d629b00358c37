import type { Migration } from "./migration.js";

/**
 * Idempotency keys of ingest requests (ADR 0021): per product, input port and principal, the
 * fingerprint of the request that used the key and the result it was answered, so a retry gets
 * that answer instead of a second batch. Written in the batch's own transaction.
 */
export const ingestIdempotencyMigration: Migration = {
  id: 20,
  name: "ingest-idempotency",
  sql: /* sql */ `
CREATE TABLE ingest_idempotency_keys (
  product_id  text NOT NULL REFERENCES data_products (id),
  port        text NOT NULL,
  principal   text NOT NULL,
  key         text NOT NULL,
  fingerprint text NOT NULL,
  batch_id    bigint NOT NULL REFERENCES ingest_batches (id),
  result      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_id, port, principal, key)
);
`,
};
