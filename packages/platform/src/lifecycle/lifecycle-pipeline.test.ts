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
import { checkLifecycle } from "./lifecycle-check.js";
import { checkRead } from "./read-check.js";

/** Products past their end of life, at the real clock: a pipeline reading one fails, for good, saying why. */
describe("a pipeline reading a tombstone", () => {
  let db: Database;
  let locator: DataLocator;
  let owner: Principal;
  let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;

  beforeAll(async () => {
    fixture = await writeSensorProducts(10);
    db = await openDatabase({ memory: true });
    const registry = new Registry(db);
    // The upstream product's only port has a contract past its own end of life.
    await registry.publish({
      files: fixture.upstream.map((f) =>
        f.path.endsWith(".odcs.yaml")
          ? { ...f, text: `${f.text}slaProperties:\n  - property: endOfLife\n    value: "2021-03-04"\n` }
          : f,
      ),
    });
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

  it("a product whose every port's contract ended is a tombstone from the last of those dates", async () => {
    await expect(checkRead(db, [{ productId: "test.upstream", port: "events" }], new Date())).rejects.toMatchObject({
      code: "end-of-life",
      details: { productId: "test.upstream", port: "events", endOfLife: "2021-03-04T00:00:00.000Z" },
    });
    const check = await checkLifecycle(db, locator.lake, new Date());
    expect(check.announced.map((d) => [d.productId, d.port, d.kind, d.at.toISOString()])).toEqual([
      ["test.sensors", null, "end-of-support", "2019-01-01T00:00:00.000Z"],
      ["test.sensors", null, "end-of-life", "2020-01-01T00:00:00.000Z"],
      ["test.upstream", "events", "end-of-life", "2021-03-04T00:00:00.000Z"],
    ]);
    expect(check.marked).toEqual([
      { productId: "test.sensors", status: "retired" },
      { productId: "test.upstream", status: "retired" },
    ]);
  });
});
