import type { Migration } from "./migration.js";

/**
 * Lifecycle dates enforced (issue 17, docs/adr/0042-lifecycle-enforced.md). A port version older
 * than its retention becomes `expired`: its row stays (history), its files are removed once no
 * retained version lists them (`files_removed_at` says the sweep is done). `lifecycle_notices`
 * holds one row per date that passed, per product (port '') or port: the claim that makes its
 * event go out once, whichever replica sees the date first.
 */
export const lifecycleEnforcementMigration: Migration = {
  id: 38,
  name: "lifecycle-enforcement",
  sql: /* sql */ `
ALTER TABLE port_versions DROP CONSTRAINT port_versions_state_check;
ALTER TABLE port_versions ADD CONSTRAINT port_versions_state_check
  CHECK (state IN ('staged', 'current', 'superseded', 'failed', 'expired'));
ALTER TABLE port_versions ADD COLUMN expired_at timestamptz;
ALTER TABLE port_versions ADD COLUMN files_removed_at timestamptz;
-- A version written by retention: the current one without its rows older than the retention.
ALTER TABLE port_versions DROP CONSTRAINT port_versions_source_check;
ALTER TABLE port_versions ADD CONSTRAINT port_versions_source_check
  CHECK (source IN ('publish', 'ingest', 'pipeline', 'rollback', 'retention'));
CREATE INDEX port_versions_expired_sweep ON port_versions (id) WHERE state = 'expired' AND files_removed_at IS NULL;

-- As migration 23, and superseded → expired (files fixed still; only the sweep's mark moves).
CREATE OR REPLACE FUNCTION quanta_port_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.state IN ('current', 'superseded', 'expired') THEN
      RAISE EXCEPTION 'port version % of %/% is %: it is never deleted', OLD.version, OLD.product_id, OLD.port, OLD.state
        USING ERRCODE = 'QI001';
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.product_id <> OLD.product_id OR NEW.port <> OLD.port OR NEW.version <> OLD.version
     OR NEW.folder <> OLD.folder OR NEW.source <> OLD.source OR NEW.created_at <> OLD.created_at
     OR (OLD.state <> 'staged' AND NEW.datasets <> OLD.datasets)
     OR NOT ((OLD.state = NEW.state AND OLD.state <> 'staged')
          OR (OLD.state = 'staged' AND NEW.state IN ('staged', 'current', 'failed'))
          OR (OLD.state = 'current' AND NEW.state = 'superseded')
          OR (OLD.state = 'superseded' AND NEW.state = 'expired')) THEN
    RAISE EXCEPTION 'port version % of %/% is %: it cannot become % or change its files', OLD.version, OLD.product_id, OLD.port, OLD.state, NEW.state
      USING ERRCODE = 'QI001';
  END IF;
  RETURN NEW;
END $$;

CREATE TABLE lifecycle_notices (
  product_id text NOT NULL REFERENCES data_products (id),
  port       text NOT NULL DEFAULT '',
  kind       text NOT NULL CHECK (kind IN ('end-of-support', 'end-of-life')),
  at         timestamptz NOT NULL,
  noticed_at timestamptz NOT NULL DEFAULT now(),
  event_id   bigint,
  PRIMARY KEY (product_id, port, kind, at)
);
`,
};
