import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { lineageGraphConformance } from "./lineage-graph.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  lineageGraphConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("lineage_graph");
      drop = created.drop;
      return openDatabase({ url: created.url });
    },
  });
});
