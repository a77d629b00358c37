import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { jobsConformance } from "./jobs.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  let url = "";
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
  });
  jobsConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("jobs");
      url = created.url;
      drop = created.drop;
      return openDatabase({ url });
    },
    openReplica: () => openDatabase({ url }),
  });
});
