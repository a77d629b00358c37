import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { identityApiConformance } from "./identity-api.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  identityApiConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("identity_api");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
