import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { accessConformance } from "./access.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  accessConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("access");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
