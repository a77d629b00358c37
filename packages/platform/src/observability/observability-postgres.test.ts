import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { observabilityConformance } from "./observability.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  observabilityConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("observability");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
