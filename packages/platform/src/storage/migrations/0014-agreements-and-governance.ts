import type { Migration } from "./migration.js";

/**
 * Governance and access (ADR 0014): applied policy set versions and every evaluation (with the
 * certification it gave), data usage agreements between an output port and a consumer team, team
 * webhooks, and the audit log of every read and every access decision. Policy versions,
 * evaluations and the audit log are append-only, enforced by triggers like events.
 */
export const agreementsAndGovernanceMigration: Migration = {
  id: 14,
  name: "agreements-and-governance",
  sql: /* sql */ `
-- Each apply of a policy file stores a new immutable version; the active set is Quanta's defaults
-- plus the latest version of every named set. revision = the id, a mesh-wide policy revision.
CREATE TABLE policy_versions (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL,
  version    text NOT NULL,
  source     text NOT NULL,
  sha256     text NOT NULL,
  rules      integer NOT NULL,
  applied_by text,
  applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX policy_versions_name ON policy_versions (name, id DESC);

CREATE TABLE policy_evaluations (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id      text NOT NULL REFERENCES data_products (id),
  product_version text NOT NULL,
  policy_revision bigint NOT NULL,
  policy          text NOT NULL,
  policy_version  text NOT NULL,
  trigger         text NOT NULL,
  blocking        boolean NOT NULL,
  results         jsonb NOT NULL,
  -- Certification at evaluation time: the level the policies allow with green, fresh tests, and
  -- until when those tests stay within their SLA window (NULL: no tests to age, or none passed).
  level           text NOT NULL CHECK (level IN ('none', 'raw', 'curated', 'authoritative')),
  reasons         jsonb NOT NULL DEFAULT '[]',
  valid_until     timestamptz,
  evaluated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX policy_evaluations_product ON policy_evaluations (product_id, id DESC);

-- An access request and the agreement it becomes are one row: requested → active → terminating →
-- terminated, or requested → rejected. terminating turns terminated when notice_ends_at passes.
CREATE TABLE agreements (
  id               text PRIMARY KEY,
  product_id       text NOT NULL REFERENCES data_products (id),
  port             text NOT NULL,
  consumer_team    text NOT NULL REFERENCES teams (id),
  purpose          text NOT NULL,
  state            text NOT NULL CHECK (state IN ('requested', 'active', 'terminating', 'terminated', 'rejected')),
  granted_columns  jsonb NOT NULL DEFAULT '[]',
  contract_id      text,
  -- The contract version this agreement reads; a newer major is served once accepted or after notice.
  contract_version text,
  pending_version  text,
  pending_until    timestamptz,
  notice_days      integer NOT NULL DEFAULT 0,
  requested_by     text NOT NULL,
  requested_at     timestamptz NOT NULL DEFAULT now(),
  decided_by       text,
  decided_at       timestamptz,
  decision_reason  text,
  terminated_by    text,
  notice_ends_at   timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- One open request or agreement per consumer team and port: a replay finds the existing one.
CREATE UNIQUE INDEX agreements_open ON agreements (product_id, port, consumer_team)
  WHERE state IN ('requested', 'active', 'terminating');
CREATE INDEX agreements_consumer ON agreements (consumer_team, state);

CREATE TABLE webhooks (
  id         text PRIMARY KEY,
  team_id    text NOT NULL REFERENCES teams (id),
  url        text NOT NULL,
  events     jsonb NOT NULL DEFAULT '[]',
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);
CREATE INDEX webhooks_team ON webhooks (team_id) WHERE removed_at IS NULL;

CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,
  action       text NOT NULL,
  product_id   text,
  port         text,
  agreement_id text,
  decision     text NOT NULL CHECK (decision IN ('allowed', 'denied', 'recorded')),
  reason       text,
  rows         bigint,
  purpose      text,
  details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_product ON audit_log (product_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);

CREATE TRIGGER policy_versions_immutable BEFORE UPDATE OR DELETE ON policy_versions
  FOR EACH ROW EXECUTE FUNCTION quanta_forbid_change();
CREATE TRIGGER policy_versions_no_truncate BEFORE TRUNCATE ON policy_versions
  FOR EACH STATEMENT EXECUTE FUNCTION quanta_forbid_change();
CREATE TRIGGER policy_evaluations_immutable BEFORE UPDATE OR DELETE ON policy_evaluations
  FOR EACH ROW EXECUTE FUNCTION quanta_forbid_change();
CREATE TRIGGER policy_evaluations_no_truncate BEFORE TRUNCATE ON policy_evaluations
  FOR EACH STATEMENT EXECUTE FUNCTION quanta_forbid_change();
CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION quanta_forbid_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION quanta_forbid_change();
`,
};
