import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../../storage/open-database.js";
import { sloConformance } from "./slo.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  sloConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("slos");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
