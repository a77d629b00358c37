import { join } from "node:path";
import { buildChecks, EngineError, runChecks } from "@quanta/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDbConnection } from "./duckdb-connection.js";
import { tempDir, writeData } from "./test-data.js";

const dir = tempDir();
let conn: DuckDbConnection;

beforeAll(async () => {
  await writeData(
    join(dir, "orders.parquet"),
    `SELECT i AS order_id, CASE WHEN i % 10 = 0 THEN NULL ELSE i % 7 END AS customer_id,
            CAST(i * 1.5 AS DECIMAL(10,2)) AS amount, ['new','paid','shipped','void'][1 + i % 4] AS status,
            TIMESTAMP '2024-01-01' + INTERVAL (i) HOUR AS created_at
     FROM range(1, 101) t(i)`,
  );
  conn = await DuckDbConnection.open({
    server: { type: "local", path: "orders.parquet", format: "parquet" },
    objects: [{ name: "orders" }],
    baseDir: dir,
  });
});
afterAll(() => conn.close());

describe("DuckDbConnection", () => {
  it("introspects a parquet file through its view", async () => {
    expect(await conn.introspect("orders")).toMatchInlineSnapshot(`
      [
        {
          "name": "order_id",
          "nullable": true,
          "type": "BIGINT",
        },
        {
          "name": "customer_id",
          "nullable": true,
          "type": "BIGINT",
        },
        {
          "name": "amount",
          "nullable": true,
          "type": "DECIMAL(10,2)",
        },
        {
          "name": "status",
          "nullable": true,
          "type": "VARCHAR",
        },
        {
          "name": "created_at",
          "nullable": true,
          "type": "TIMESTAMP",
        },
      ]
    `);
    expect(await conn.introspect("nope")).toBeUndefined();
  });

  it("reads an object whose physical name differs from its name under both (checks use the physical one)", async () => {
    const contract = {
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: "c",
      version: "1.0.0",
      status: "active",
      schema: [
        {
          name: "orders",
          physicalName: "raw_orders",
          properties: [{ name: "order_id", logicalType: "integer", required: true, unique: true }],
        },
      ],
    };
    const aliased = await DuckDbConnection.open({
      server: { type: "local", path: "orders.parquet", format: "parquet" },
      objects: [{ name: "orders", physicalName: "raw_orders" }],
      baseDir: dir,
    });
    try {
      expect((await aliased.introspect("raw_orders"))?.[0]?.name).toBe("order_id");
      expect((await aliased.introspect("orders"))?.[0]?.name).toBe("order_id");
      const run = await runChecks(buildChecks(contract), aliased);
      expect(run.checks.map((c) => `${c.key} ${c.result}`)).toEqual([
        "raw_orders.objectExists passed",
        "raw_orders.order_id.propertyExists passed",
        "raw_orders.order_id.propertyType passed",
        "raw_orders.order_id.required passed",
        "raw_orders.order_id.unique passed",
      ]);
    } finally {
      await aliased.close();
    }
  });

  it("stops a statement at its time limit or when its signal aborts, and stays usable", async () => {
    const slow = "SELECT count(*) AS n FROM range(100000) a, range(100000) b, range(100000) c";
    let started = Date.now();
    const timedOut = await conn.run(slow, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(EngineError);
    expect(timedOut).toMatchObject({ message: "timed out after 0.2 s", sql: slow });
    expect(Date.now() - started).toBeLessThan(2_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    started = Date.now();
    expect(await conn.run(slow, { signal: controller.signal }).catch((e: unknown) => e)).toMatchObject({
      message: "stopped before it finished",
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await conn.run("SELECT 1 AS one", { timeoutMs: 1_000, signal: new AbortController().signal })).toEqual([
      { one: 1 },
    ]);
  });

  it("runs a contract", async () => {
    const contract = {
      kind: "DataContract",
      apiVersion: "v3.1.0",
      schema: [
        {
          name: "orders",
          properties: [
            { name: "order_id", logicalType: "integer", physicalType: "bigint", required: true, unique: true },
            {
              name: "customer_id",
              logicalType: "integer",
              quality: [{ metric: "nullValues", mustBeLessOrEqualTo: 10, unit: "percent" }],
            },
            { name: "amount", logicalType: "number", logicalTypeOptions: { minimum: 0 } },
            {
              name: "status",
              logicalType: "string",
              quality: [{ metric: "invalidValues", arguments: { validValues: ["new", "paid", "shipped"] } }],
            },
          ],
          quality: [
            { metric: "rowCount", mustBeGreaterThan: 50 },
            { type: "sql", query: "SELECT count(*) FROM ${table} WHERE amount > 1000", mustBe: 0 },
          ],
        },
      ],
    };
    const result = await runChecks(buildChecks(contract), conn);
    expect(result.checks.map((c) => `${c.key} ${c.result} ${c.value ?? ""} ${c.reason ?? ""}`)).toMatchInlineSnapshot(`
      [
        "orders.objectExists passed  ",
        "orders.order_id.propertyExists passed  ",
        "orders.order_id.propertyType passed BIGINT ",
        "orders.order_id.required passed 0 ",
        "orders.order_id.unique passed 0 ",
        "orders.customer_id.propertyExists passed  ",
        "orders.customer_id.propertyType passed BIGINT ",
        "orders.customer_id.quality.0.nullValues passed 10 ",
        "orders.amount.propertyExists passed  ",
        "orders.amount.propertyType passed DECIMAL(10,2) ",
        "orders.amount.minimum passed 0 ",
        "orders.status.propertyExists passed  ",
        "orders.status.propertyType passed VARCHAR ",
        "orders.status.quality.0.invalidValues failed 25 25 is not = 0; invalid values include "void"",
        "orders.quality.0.rowCount passed 100 ",
        "orders.quality.1.sql passed 0 ",
      ]
    `);
  });
});
