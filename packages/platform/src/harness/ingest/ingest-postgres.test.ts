import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../../storage/open-database.js";
import { ingestConformance } from "./ingest.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  ingestConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("ingest");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
