import type { Migration } from "./migration.js";

/**
 * The CloudEvents feed (issue 17, ADR 0037): each event keeps the teams it was addressed to and the
 * transaction that wrote it (so the feed serves an event only once every older writer has ended:
 * ids commit out of order), and team subscriptions choose which events their webhooks get.
 */
export const eventSubscriptionsMigration: Migration = {
  id: 36,
  name: "event-subscriptions",
  sql: /* sql */ `
ALTER TABLE events ADD COLUMN audience text[] NOT NULL DEFAULT '{}';
ALTER TABLE events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_type ON events (type, id);

CREATE TABLE event_subscriptions (
  id         text PRIMARY KEY,
  team_id    text NOT NULL REFERENCES teams (id),
  types      text[] NOT NULL,
  products   text[] NOT NULL DEFAULT '{}',
  webhook_id text REFERENCES webhooks (id),
  target     text NOT NULL CHECK (target IN ('webhooks', 'webhook', 'feed')),
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_subscriptions_team ON event_subscriptions (team_id);
`,
};
