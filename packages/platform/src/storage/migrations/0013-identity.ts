import type { Migration } from "./migration.js";

/**
 * Identity (ADR 0013): users (people and services, optionally tied to an OpenID Connect subject),
 * global role grants and admin-managed team memberships, both with their history (a period per
 * grant, like team_members), and API tokens stored as a SHA-256 hash only.
 */
export const identityMigration: Migration = {
  id: 13,
  name: "identity",
  sql: /* sql */ `
CREATE TABLE users (
  id           text PRIMARY KEY,
  username     text NOT NULL,
  display_name text,
  email        text,
  kind         text NOT NULL DEFAULT 'user' CHECK (kind IN ('user', 'service')),
  -- Set for users first seen through an OpenID Connect token: the issuer's stable subject.
  oidc_issuer  text,
  oidc_subject text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  disabled_at  timestamptz
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE UNIQUE INDEX users_oidc ON users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;

-- One row per period a user held a global role; current grants have valid_to NULL.
CREATE TABLE role_grants (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (id),
  role       text NOT NULL CHECK (role IN ('admin', 'governance', 'consumer')),
  granted_by text,
  valid_from timestamptz NOT NULL DEFAULT now(),
  valid_to   timestamptz,
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX role_grants_current ON role_grants (user_id, role) WHERE valid_to IS NULL;

-- Team memberships granted through the API (team_members holds the ones product documents declare).
CREATE TABLE team_grants (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  team_id    text NOT NULL REFERENCES teams (id),
  user_id    text NOT NULL REFERENCES users (id),
  role       text NOT NULL CHECK (role IN ('owner', 'member')),
  granted_by text,
  valid_from timestamptz NOT NULL DEFAULT now(),
  valid_to   timestamptz,
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX team_grants_current ON team_grants (team_id, user_id) WHERE valid_to IS NULL;
CREATE INDEX team_grants_user ON team_grants (user_id) WHERE valid_to IS NULL;
-- Principals join the declared members by login name.
CREATE INDEX team_members_username ON team_members (lower(username)) WHERE valid_to IS NULL;

CREATE TABLE api_tokens (
  id           text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id),
  name         text NOT NULL,
  -- SHA-256 (hex) of the whole token; the token itself is shown once and never stored.
  token_hash   text NOT NULL UNIQUE,
  -- The first characters, so a person can tell their tokens apart.
  hint         text NOT NULL,
  scopes       jsonb,
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  revoked_by   text,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);
`,
};
