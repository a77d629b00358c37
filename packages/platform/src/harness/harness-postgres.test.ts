import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { harnessConformance } from "./harness.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  harnessConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("harness");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
