import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { secretsConformance } from "./secrets.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  secretsConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("secrets");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
