import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { openLineageIntakeConformance } from "./openlineage-intake.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  openLineageIntakeConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("openlineage_intake");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
