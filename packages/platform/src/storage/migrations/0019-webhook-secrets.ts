import type { Migration } from "./migration.js";

/**
 * Webhook deliveries are signed (Standard Webhooks: HMAC-SHA256 over id, timestamp and body) with
 * a secret per webhook, shown once when the webhook is registered. Webhooks registered before this
 * migration have none and are delivered unsigned until registered again.
 */
export const webhookSecretsMigration: Migration = {
  id: 19,
  name: "webhook-secrets",
  sql: /* sql */ `
ALTER TABLE webhooks ADD COLUMN secret text;
`,
};
