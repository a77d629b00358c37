import type { Migration } from "./migration.js";

/**
 * The registry: who owns what (domains, teams, members with their role history), what is published
 * (products, ports, contract versions), what happened (events, test runs, usage).
 * Published versions and events are append-only, enforced by triggers so no code path can bypass it.
 */
export const registryMigration: Migration = {
  id: 1,
  name: "registry",
  sql: /* sql */ `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION quanta_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'QI001';
END $$;

CREATE TABLE domains (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  domain_id   text REFERENCES domains (id),
  description text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per period a person held a role in a team; the current holders have valid_to NULL.
CREATE TABLE team_members (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  team_id      text NOT NULL REFERENCES teams (id),
  username     text NOT NULL,
  display_name text,
  role         text NOT NULL,
  valid_from   timestamptz NOT NULL DEFAULT now(),
  valid_to     timestamptz,
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX team_members_current ON team_members (team_id, username, role) WHERE valid_to IS NULL;

CREATE TABLE data_products (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  version      text NOT NULL,
  status       text NOT NULL,
  domain_id    text REFERENCES domains (id),
  team_id      text REFERENCES teams (id),
  summary      text NOT NULL DEFAULT '',
  tags         text[] NOT NULL DEFAULT '{}',
  -- Bumped by every publish; a publish only lands on the revision it read (optimistic lock).
  revision     integer NOT NULL DEFAULT 1,
  -- Search text by weight: A name and id; B tags, glossary terms, summary; C schema objects and
  -- properties; D every other description. See docs/adr/0008-platform-storage.md.
  search_a     text NOT NULL DEFAULT '',
  search_b     text NOT NULL DEFAULT '',
  search_c     text NOT NULL DEFAULT '',
  search_d     text NOT NULL DEFAULT '',
  -- Names and terms (not prose) for typo-tolerant trigram matching.
  search_words text NOT NULL DEFAULT '',
  search       tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, search_a), 'A') ||
    setweight(to_tsvector('english'::regconfig, search_b), 'B') ||
    setweight(to_tsvector('english'::regconfig, search_c), 'C') ||
    setweight(to_tsvector('english'::regconfig, search_d), 'D')
  ) STORED,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX data_products_search ON data_products USING gin (search);
CREATE INDEX data_products_words ON data_products USING gin (search_words gin_trgm_ops);
CREATE INDEX data_products_tags ON data_products USING gin (tags);
CREATE INDEX data_products_domain ON data_products (domain_id);
CREATE INDEX data_products_name ON data_products (lower(name), id);

CREATE TABLE product_versions (
  product_id   text NOT NULL REFERENCES data_products (id),
  version      text NOT NULL,
  document     jsonb NOT NULL,
  files        jsonb NOT NULL,
  published_by text,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_id, version)
);

-- The ports of the current version of each product (replaced on publish; history is in product_versions).
CREATE TABLE ports (
  product_id  text NOT NULL REFERENCES data_products (id),
  direction   text NOT NULL CHECK (direction IN ('input', 'output', 'management')),
  name        text NOT NULL,
  type        text,
  version     text,
  contract_id text,
  description text,
  PRIMARY KEY (product_id, direction, name)
);

CREATE TABLE contracts (
  id         text PRIMARY KEY,
  product_id text NOT NULL REFERENCES data_products (id),
  name       text,
  version    text NOT NULL,
  status     text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contract_versions (
  contract_id     text NOT NULL REFERENCES contracts (id),
  version         text NOT NULL,
  product_version text NOT NULL,
  file            text NOT NULL,
  source          text NOT NULL,
  sha256          text NOT NULL,
  document        jsonb NOT NULL,
  published_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (contract_id, version)
);

CREATE TABLE test_runs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id       text NOT NULL REFERENCES data_products (id),
  contract_id      text NOT NULL,
  contract_version text NOT NULL,
  server           text,
  status           text NOT NULL CHECK (status IN ('running', 'passed', 'warning', 'failed', 'error')),
  started_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  FOREIGN KEY (contract_id, contract_version) REFERENCES contract_versions (contract_id, version)
);
CREATE INDEX test_runs_product ON test_runs (product_id, started_at DESC);

CREATE TABLE check_results (
  run_id    bigint NOT NULL REFERENCES test_runs (id),
  check_id  text NOT NULL,
  dataset   text,
  status    text NOT NULL CHECK (status IN ('passed', 'warning', 'failed', 'error', 'skipped')),
  value     jsonb,
  threshold jsonb,
  sql       text,
  reason    text,
  PRIMARY KEY (run_id, check_id)
);

CREATE TABLE events (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  type    text NOT NULL,
  subject text NOT NULL,
  actor   text,
  payload jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_subject ON events (subject, id);

CREATE TABLE usage_records (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  product_id  text NOT NULL REFERENCES data_products (id),
  port        text,
  consumer    text NOT NULL,
  action      text NOT NULL,
  rows        bigint NOT NULL DEFAULT 0,
  bytes       bigint NOT NULL DEFAULT 0,
  duration_ms integer NOT NULL DEFAULT 0
);
CREATE INDEX usage_records_product ON usage_records (product_id, at);

CREATE TRIGGER product_versions_immutable BEFORE UPDATE OR DELETE ON product_versions
  FOR EACH ROW EXECUTE FUNCTION quanta_forbid_change();
CREATE TRIGGER product_versions_no_truncate BEFORE TRUNCATE ON product_versions
  FOR EACH STATEMENT EXECUTE FUNCTION quanta_forbid_change();
CREATE TRIGGER contract_versions_immutable BEFORE UPDATE OR DELETE ON contract_versions
  FOR EACH ROW EXECUTE FUNCTION quanta_forbid_change();
CREATE TRIGGER contract_versions_no_truncate BEFORE TRUNCATE ON contract_versions
  FOR EACH STATEMENT EXECUTE FUNCTION quanta_forbid_change();
CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION quanta_forbid_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION quanta_forbid_change();
`,
};
