import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { publishRightsConformance } from "./publish-rights.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  publishRightsConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("publish_rights");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
