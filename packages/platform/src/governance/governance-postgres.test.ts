import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { governanceConformance } from "./governance.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  governanceConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("governance");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
