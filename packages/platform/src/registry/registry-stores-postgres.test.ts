import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe } from "vitest";
import { openDatabase } from "../storage/open-database.js";
import { registryStoreConformance } from "./registry-stores.conformance.js";

describe.skipIf(postgresSkipReason())("PostgreSQL registry stores", () => {
  let drop: (() => Promise<void>) | undefined;
  let url = "";
  afterAll(async () => {
    await drop?.();
  });
  registryStoreConformance("PostgreSQL", {
    open: async () => {
      const created = await createTestDatabase("registry_stores");
      drop = created.drop;
      url = created.url;
      return openDatabase({ url });
    },
    openReplica: () => openDatabase({ url }),
  });
});
