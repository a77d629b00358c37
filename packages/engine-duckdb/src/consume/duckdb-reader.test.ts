import { join } from "node:path";
import { defaultConsumeLimits, type ReadDataset } from "@quanta/core/engines";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance } from "../duckdb-api.js";
import { tempDir, writeData } from "../test-data.js";
import { DuckDbReader } from "./duckdb-reader.js";

let dir: string;
let reader: DuckDbReader;

const readJson = async (datasets: ReadDataset[], sql?: string) => {
  const stream = await reader.consume({
    server: { type: "duckdb" },
    env: {},
    datasets,
    query: { sql, limit: 100, format: "json" },
    limits: defaultConsumeLimits,
  });
  return JSON.parse(await new Response(stream.body).text()) as { rows: Record<string, unknown>[] };
};

beforeAll(async () => {
  dir = tempDir("quanta-reader-");
  const instance = await DuckDBInstance.create(join(dir, "warehouse.duckdb"));
  const conn = await instance.connect();
  await conn.run(`CREATE SCHEMA sales;
    CREATE TABLE sales.customers AS SELECT range AS id, 'c' || range || '@example.com' AS email, range % 2 = 0 AS vip FROM range(4)`);
  conn.closeSync();
  instance.closeSync();
  reader = new DuckDbReader({ tempDir: join(dir, "tmp") });
});

afterAll(() => reader.close());

describe("DuckDbReader", () => {
  it("serves a table of a DuckDB database file, masked and filtered, read-only", async () => {
    const ds: ReadDataset = {
      name: "customers",
      source: { kind: "table", database: join(dir, "warehouse.duckdb"), schema: "sales", table: "customers" },
      masked: ["email"],
      rowFilters: ["vip"],
    };
    expect((await readJson([ds])).rows).toEqual([
      { id: 0, email: "***", vip: true },
      { id: 2, email: "***", vip: true },
    ]);
    // The attached database itself is out of the consumer's reach: only the view answers.
    await expect(readJson([ds], "SELECT * FROM quanta_db_0.sales.customers")).rejects.toMatchObject({
      code: "sql-refused",
    });
    await expect(readJson([ds], "SELECT * FROM sales.customers")).rejects.toMatchObject({ code: "sql-refused" });
  });

  it("serves several files as one dataset, and refuses a table of a database server", async () => {
    const a = await writeData(join(dir, "a.parquet"), "SELECT 1 AS id");
    const b = await writeData(join(dir, "b.parquet"), "SELECT 2 AS id");
    const files: ReadDataset = {
      name: "ids",
      source: { kind: "files", files: [a, b], format: "parquet" },
      masked: [],
      rowFilters: [],
    };
    expect((await readJson([files], "SELECT id FROM ids ORDER BY id")).rows).toEqual([{ id: 1 }, { id: 2 }]);
    const table: ReadDataset = { ...files, source: { kind: "table", schema: "public", table: "ids" } };
    await expect(readJson([table])).rejects.toMatchObject({ code: "engine-mismatch" });
  });
});
