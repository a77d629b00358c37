import type { Migration } from "./migration.js";

/**
 * Pipeline runs (ADR 0029): one row per run of a product's pipeline, one per step it ran, and its
 * log lines. At most one run per product is queued or running (a partial unique index), so
 * replicas never build one product twice at once. A rollback is a new port version listing an
 * earlier version's files, so versions stay immutable and numbered in the order they became current.
 */
export const pipelinesMigration: Migration = {
  id: 29,
  name: "pipelines",
  sql: /* sql */ `
CREATE TABLE pipeline_runs (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id      text NOT NULL REFERENCES data_products (id),
  product_version text NOT NULL,
  trigger         text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'upstream')),
  requested_by    text,
  status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  reason          text,
  -- Per output port: dataset, version produced, previous version, rows in and out, bytes, tests.
  outputs         jsonb NOT NULL DEFAULT '[]',
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz
);
CREATE UNIQUE INDEX pipeline_runs_one_open ON pipeline_runs (product_id) WHERE status IN ('queued', 'running');
CREATE INDEX pipeline_runs_product ON pipeline_runs (product_id, id DESC);

CREATE TABLE pipeline_run_steps (
  run_id      bigint NOT NULL REFERENCES pipeline_runs (id),
  port        text NOT NULL,
  position    integer NOT NULL,
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('sql', 'command')),
  sql         text,
  status      text NOT NULL CHECK (status IN ('passed', 'failed', 'skipped')),
  started_at  timestamptz,
  ms          integer,
  rows_out    bigint,
  error       text,
  PRIMARY KEY (run_id, port, position)
);

CREATE TABLE pipeline_run_logs (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id  bigint NOT NULL REFERENCES pipeline_runs (id),
  at      timestamptz NOT NULL DEFAULT now(),
  level   text NOT NULL CHECK (level IN ('info', 'warning', 'error')),
  message text NOT NULL
);
CREATE INDEX pipeline_run_logs_run ON pipeline_run_logs (run_id, id);

ALTER TABLE port_versions DROP CONSTRAINT port_versions_source_check;
ALTER TABLE port_versions ADD CONSTRAINT port_versions_source_check
  CHECK (source IN ('publish', 'ingest', 'pipeline', 'rollback'));
`,
};
