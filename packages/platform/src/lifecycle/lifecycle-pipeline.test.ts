import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLocator } from "../harness/data-locator.js";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { testAuthenticator } from "../harness/test-principal.js";
import type { Principal } from "../identity/principal.js";
import { planInputs } from "../pipelines/pipeline-inputs.js";
import type { PipelineOutputResult } from "../pipelines/pipeline-run-schema.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";

/** A pipeline reading a product past its end of life as input: its run fails, for good, saying why. */
describe("a pipeline reading a tombstone", () => {
  let db: Database;
  let locator: DataLocator;
  let owner: Principal;
  let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;

  beforeAll(async () => {
    fixture = await writeSensorProducts(10);
    db = await openDatabase({ memory: true });
    const registry = new Registry(db);
    await registry.publish({ files: fixture.upstream });
    const past = (text: string) =>
      text.replace(
        "customProperties:\n",
        'customProperties:\n  - property: endOfSupport\n    value: "2019-01-01"\n  - property: endOfLife\n    value: "2020-01-01"\n',
      );
    await registry.publish({
      files: fixture.sensors.map((f) => (f.path.endsWith(".odps.yaml") ? { ...f, text: past(f.text) } : f)),
    });
    locator = new DataLocator(join(fixture.root, "platform"));
    locator.setFolder("test.sensors", fixture.sensorsDir);
    owner = await testAuthenticator.authenticate("admin");
  });
  afterAll(async () => {
    await db?.close();
    if (fixture) await rm(fixture.root, { recursive: true, force: true });
  });

  it("fails the run with the end of life, not to be retried", async () => {
    const result = { inputs: [] } as unknown as PipelineOutputResult;
    const planned = planInputs(db, locator, {
      inputPorts: [{ name: "readings", contractId: "test.sensors.readings" }],
      reads: ["readings"],
      principal: owner,
      team: "sensor-team",
      result,
      files: false,
    });
    await expect(planned).rejects.toMatchObject({
      message:
        'input port readings (test.sensors port readings): data product "test.sensors" reached its end of life on 2020-01-01T00:00:00.000Z and is no longer served; its registry entry and history stay at GET /api/products/test.sensors',
      transient: false,
    });
    expect(result.inputs).toEqual([]);
  });
});
