import type { Migration } from "./migration.js";

/**
 * Immutable versions of a port's data in the storage root Quanta owns (lake/): each written aside
 * into its own folder while `staged`, then made `current` in one transaction that supersedes the
 * previous one. At most one current version per port (a partial unique index); a version's files
 * never change once it has left `staged` (a trigger refuses it). `owner` is the process writing a
 * staged version and `touched_at` when it last wrote, for start-up recovery. An ingested batch names the version it created.
 */
export const portVersionsMigration: Migration = {
  id: 23,
  name: "port-versions",
  sql: /* sql */ `
CREATE TABLE port_versions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id  text NOT NULL REFERENCES data_products (id),
  port        text NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  state       text NOT NULL DEFAULT 'staged' CHECK (state IN ('staged', 'current', 'superseded', 'failed')),
  folder      text NOT NULL,
  datasets    jsonb NOT NULL DEFAULT '[]',
  source      text NOT NULL CHECK (source IN ('publish', 'ingest', 'pipeline')),
  created_by  text,
  owner       text NOT NULL,
  reason      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- Moved on by the writer of a staged version while it writes (a long upload), so recovery on
  -- another host can tell a slow upload from one whose process died.
  touched_at  timestamptz NOT NULL DEFAULT now(),
  current_at  timestamptz,
  UNIQUE (product_id, port, version)
);
CREATE UNIQUE INDEX port_versions_one_current ON port_versions (product_id, port) WHERE state = 'current';
CREATE INDEX port_versions_staged ON port_versions (touched_at) WHERE state = 'staged';

-- Staged → current or failed; current → superseded. Nothing else, and a version's identity and
-- files are fixed once it has left staged.
CREATE FUNCTION quanta_port_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.state IN ('current', 'superseded') THEN
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
          OR (OLD.state = 'current' AND NEW.state = 'superseded')) THEN
    RAISE EXCEPTION 'port version % of %/% is %: it cannot become % or change its files', OLD.version, OLD.product_id, OLD.port, OLD.state, NEW.state
      USING ERRCODE = 'QI001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER port_versions_guard BEFORE UPDATE OR DELETE ON port_versions
  FOR EACH ROW EXECUTE FUNCTION quanta_port_version_guard();

ALTER TABLE ingest_batches ADD COLUMN port_version bigint REFERENCES port_versions (id);
`,
};
