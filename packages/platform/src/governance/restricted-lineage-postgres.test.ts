import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { restrictedLineageConformance } from "./restricted-lineage.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  restrictedLineageConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("restricted_lineage");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
