import type { Migration } from "./migration.js";

/** Service level objectives and availability probes (issue 17, ADR 0039). */
export const slosMigration: Migration = {
  id: 37,
  name: "slos",
  sql: /* sql */ `
-- One probe of a port's serving path per slot (every 5 minutes by default): a one-row read through
-- the engine consume uses. The slot makes it idempotent: N replicas probe a port once per slot.
CREATE TABLE slo_probes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id  text NOT NULL REFERENCES data_products (id),
  port        text NOT NULL,
  slot        timestamptz NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  up          boolean NOT NULL,
  latency_ms  integer NOT NULL CHECK (latency_ms >= 0),
  -- Why it was down, secrets redacted (null when up).
  reason      text,
  UNIQUE (product_id, port, slot)
);
CREATE INDEX slo_probes_port ON slo_probes (product_id, port, at);

-- A read that failed before its first byte is recorded too (action consume-failed): whose fault it
-- was decides whether it spends the port's error budget ('serving') or not ('request': bad SQL).
ALTER TABLE usage_records ADD COLUMN failure text CHECK (failure IN ('serving', 'request'));
`,
};
