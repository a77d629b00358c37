import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { incidentsConformance } from "./incidents.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  incidentsConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("incidents");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
