import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../../storage/open-database.js";
import { metricsConformance } from "./metrics.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  metricsConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("metrics");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
