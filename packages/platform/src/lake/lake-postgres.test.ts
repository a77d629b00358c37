import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { lakeConformance } from "./lake.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  lakeConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("lake");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
