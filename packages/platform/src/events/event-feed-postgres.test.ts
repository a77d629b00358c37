import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { eventFeedConformance } from "./event-feed.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let created: { url: string; drop(): Promise<void> } | undefined;
  afterAll(async () => {
    await created?.drop();
  });
  eventFeedConformance("PostgreSQL", {
    open: async () => {
      created = await createTestDatabase("event_feed");
      return openDatabase({ url: created.url });
    },
    second: async () => openDatabase({ url: (created as { url: string }).url }),
  });
});
