import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../open-database.js";
import { storageConformance } from "../storage.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL store", () => {
  let drop: (() => Promise<void>) | undefined;
  let url = "";
  afterAll(async () => {
    await drop?.();
  });
  storageConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("storage");
      drop = created.drop;
      url = created.url;
      return openDatabase({ url });
    },
    openReplica: () => openDatabase({ url }),
  });
});
