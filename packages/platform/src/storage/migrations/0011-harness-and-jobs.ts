import type { Migration } from "./migration.js";

/**
 * The harness and the job queue (ADR 0011): each product's lifecycle state, ingested batches and
 * their quarantined rows, and the jobs table N replicas share (claimed with FOR UPDATE SKIP LOCKED).
 */
export const harnessAndJobsMigration: Migration = {
  id: 11,
  name: "harness-and-jobs",
  sql: /* sql */ `
-- The state the control interface moves a product through; no row = the default for its status.
CREATE TABLE product_lifecycle (
  product_id text PRIMARY KEY REFERENCES data_products (id),
  state      text NOT NULL CHECK (state IN ('draft', 'active', 'paused', 'stopped')),
  config     jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);

-- One row per ingest request that stored anything; accepted rows live in the batch's Parquet file.
CREATE TABLE ingest_batches (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id  text NOT NULL REFERENCES data_products (id),
  port        text NOT NULL,
  dataset     text NOT NULL,
  contract_id text NOT NULL,
  contract_version text NOT NULL,
  format      text NOT NULL,
  received    integer NOT NULL,
  accepted    integer NOT NULL,
  quarantined integer NOT NULL,
  file        text,
  actor       text,
  at          timestamptz NOT NULL DEFAULT now(),
  CHECK (accepted + quarantined = received)
);
CREATE INDEX ingest_batches_product ON ingest_batches (product_id, port, id);

CREATE TABLE quarantine_rows (
  batch_id   bigint NOT NULL REFERENCES ingest_batches (id),
  row_number integer NOT NULL,
  record     jsonb NOT NULL,
  reasons    jsonb NOT NULL,
  PRIMARY KEY (batch_id, row_number)
);

CREATE TABLE jobs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         text NOT NULL,
  -- Idempotency: enqueueing a key that exists does nothing (scheduler slots, one per replica tick).
  key          text UNIQUE,
  payload      jsonb NOT NULL DEFAULT '{}',
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  run_at       timestamptz NOT NULL DEFAULT now(),
  locked_by    text,
  locked_until timestamptz,
  last_error   text,
  result       jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE status IN ('queued', 'running');
`,
};
