import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { pipelinesConformance } from "./pipelines.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  pipelinesConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("pipelines");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
