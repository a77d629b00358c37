import type { Migration } from "./migration.js";

/**
 * Measurements, profiles and incidents (issue 17, ADR 0038).
 * - `run_observations`: one row per finished contract test run, with its port (test_runs has none),
 *   the profile of each dataset and when the data was last written; the series' anchor.
 * - `measurements`: one number per run, dataset, column and metric; read as a series of one port
 *   over a window (`measurements_series`), or of one metric of one port (`measurements_metric`).
 * - `incidents`: deduplicated on (product, port, kind, key) while not resolved (a partial unique index);
 *   `incident_timeline` what happened to each.
 */
export const observabilityMigration: Migration = {
  id: 35,
  name: "observability",
  sql: /* sql */ `
CREATE TABLE run_observations (
  run_id      bigint PRIMARY KEY REFERENCES test_runs (id),
  product_id  text NOT NULL REFERENCES data_products (id),
  port        text NOT NULL,
  at          timestamptz NOT NULL,
  status      text NOT NULL,
  -- The port's current version when the run read it (null for data in a product's folder).
  port_version integer,
  profiles    jsonb
);
CREATE INDEX run_observations_port ON run_observations (product_id, port, at DESC);

CREATE TABLE measurements (
  run_id      bigint NOT NULL REFERENCES test_runs (id),
  product_id  text NOT NULL,
  port        text NOT NULL,
  -- '' when the metric is about the port as a whole (freshnessSeconds) or a column-less check.
  dataset     text NOT NULL DEFAULT '',
  -- '' when the metric is about the dataset (rowCount, a check's value).
  column_name text NOT NULL DEFAULT '',
  metric      text NOT NULL,
  value       double precision,
  at          timestamptz NOT NULL,
  PRIMARY KEY (run_id, dataset, column_name, metric)
);
CREATE INDEX measurements_series ON measurements (product_id, port, at);
CREATE INDEX measurements_metric ON measurements (product_id, port, metric, dataset, at);

CREATE TABLE incidents (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id      text NOT NULL REFERENCES data_products (id),
  port            text,
  kind            text NOT NULL CHECK (kind IN ('schema-drift', 'volume-anomaly', 'freshness', 'check-failed',
                    'unreadable', 'lifecycle', 'slo-burn')),
  key             text NOT NULL,
  severity        text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  state           text NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
  title           text NOT NULL,
  detail          jsonb NOT NULL DEFAULT '{}',
  started_at      timestamptz NOT NULL,
  detected_at     timestamptz NOT NULL,
  notified_at     timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at     timestamptz,
  resolved_by     text,
  occurrences     integer NOT NULL DEFAULT 1,
  last_seen_at    timestamptz NOT NULL,
  -- Healthy observations in a row since it was last seen: it resolves itself at the threshold.
  healthy_streak  integer NOT NULL DEFAULT 0,
  -- How many healthy observations in a row resolve it (hysteresis).
  resolve_after   integer NOT NULL DEFAULT 1 CHECK (resolve_after >= 1)
);
CREATE UNIQUE INDEX incidents_dedupe ON incidents (product_id, coalesce(port, ''), kind, key)
  WHERE state <> 'resolved';
CREATE INDEX incidents_product ON incidents (product_id, detected_at DESC);
CREATE INDEX incidents_recent ON incidents (detected_at DESC, id DESC);
CREATE INDEX incidents_last_resolved ON incidents (product_id, kind, key, resolved_at DESC)
  WHERE state = 'resolved';

CREATE TABLE incident_timeline (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  at          timestamptz NOT NULL DEFAULT now(),
  type        text NOT NULL CHECK (type IN ('opened', 'observed', 'notified', 'acknowledged', 'commented',
                'escalated', 'resolved', 'reopened')),
  actor       text,
  text        text
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id);
`,
};
