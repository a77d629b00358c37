import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { lifecycleConformance } from "./lifecycle.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  lifecycleConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("lifecycle");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
