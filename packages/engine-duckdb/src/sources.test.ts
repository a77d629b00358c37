import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { buildChecks, runChecks } from "@quanta/core";
import { describe, expect, it } from "vitest";
import { DuckDbConnection } from "./duckdb-connection.js";
import { tempDir, writeData } from "./test-data.js";

const contract = {
  schema: [
    {
      name: "t",
      properties: [{ name: "id", logicalType: "integer", required: true, unique: true }],
      quality: [{ metric: "rowCount", mustBe: 4 }],
    },
  ],
};
const summary = async (conn: DuckDbConnection) => {
  try {
    return (await runChecks(buildChecks(contract), conn)).checks.map(
      (c) => `${c.key}: ${c.result}${c.reason ? ` (${c.reason.split("\n")[0]})` : ""}`,
    );
  } finally {
    await conn.close();
  }
};
const rows = "SELECT range AS id FROM range(4)";

describe("DuckDB sources", () => {
  it.each([
    ["csv", "t.csv"],
    ["json", "t.json"],
    ["ndjson", "t.json"],
    ["parquet", "t.parquet"],
  ])("reads %s files in place", async (format, file) => {
    const dir = tempDir();
    await writeData(join(dir, file), rows);
    const conn = await DuckDbConnection.open({
      server: { type: "local", path: file, format },
      objects: [{ name: "t" }],
      baseDir: dir,
    });
    expect(await summary(conn)).toEqual([
      "t.objectExists: passed",
      "t.id.propertyExists: passed",
      "t.id.propertyType: passed",
      "t.id.required: passed",
      "t.id.unique: passed",
      "t.quality.0.rowCount: passed",
    ]);
  });

  it("reads a glob of files in a folder, and nothing beside it", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "parts"));
    await writeData(join(dir, "parts", "a.parquet"), "SELECT 0 AS id UNION ALL SELECT 1");
    await writeData(join(dir, "parts", "b.parquet"), "SELECT 2 AS id UNION ALL SELECT 3");
    await writeData(join(dir, "outside.csv"), rows);
    const conn = await DuckDbConnection.open({
      server: { type: "local", path: "parts/*.parquet", format: "parquet" },
      objects: [{ name: "t" }],
      baseDir: dir,
    });
    await expect(conn.run(`SELECT * FROM read_csv('${join(dir, "outside.csv")}')`)).rejects.toThrow(/Permission Error/);
    expect((await summary(conn)).every((s) => s.endsWith("passed"))).toBe(true);
  });

  it("reads Hive partitions: the folder names' keys become columns", async () => {
    const dir = tempDir();
    for (const year of [2024, 2025]) {
      mkdirSync(join(dir, "lake", `year=${year}`), { recursive: true });
      await writeData(
        join(dir, "lake", `year=${year}`, "part-0.parquet"),
        `SELECT ${year - 2024} * 2 + range AS id FROM range(2)`,
      );
    }
    const conn = await DuckDbConnection.open({
      server: { type: "local", path: "lake/*/*.parquet", format: "parquet" },
      objects: [{ name: "t" }],
      baseDir: dir,
    });
    try {
      expect(await conn.run("SELECT year, count(*) AS n FROM t GROUP BY year ORDER BY year")).toEqual([
        { year: 2024, n: 2 },
        { year: 2025, n: 2 },
      ]);
    } finally {
      await conn.close();
    }
  });

  it("reads the files a caller located (a port version's list) instead of the server's path", async () => {
    const dir = tempDir();
    const a = await writeData(join(dir, "a.parquet"), "SELECT 0 AS id UNION ALL SELECT 1");
    const b = await writeData(join(dir, "b.parquet"), "SELECT 2 AS id UNION ALL SELECT 3");
    const conn = await DuckDbConnection.open({
      server: { type: "local" },
      objects: [{ name: "t" }],
      baseDir: dir,
      sources: { t: { kind: "files", files: [a, b], format: "parquet" } },
    });
    expect((await summary(conn)).every((s) => s.endsWith("passed"))).toBe(true);
  });

  it("opens a DuckDB database file read-only", async () => {
    const dir = tempDir();
    const db = join(dir, "warehouse.duckdb");
    const instance = await DuckDBInstance.create(db);
    const setup = await instance.connect();
    await setup.run(`CREATE SCHEMA sales; CREATE TABLE sales.t AS ${rows}`);
    setup.closeSync();
    instance.closeSync();
    const conn = await DuckDbConnection.open({
      server: { type: "duckdb", database: "warehouse.duckdb", schema: "sales" },
      objects: [{ name: "t" }],
      baseDir: dir,
    });
    await expect(conn.run("INSERT INTO sales.t VALUES (9)")).rejects.toThrow(/read-only/);
    // Set when the instance was created, before any SQL could name an extension.
    expect(
      await conn.run(
        "SELECT current_setting('autoinstall_known_extensions') AS install, current_setting('autoload_known_extensions') AS load",
      ),
    ).toEqual([{ install: false, load: false }]);
    expect(await summary(conn)).toContain("t.quality.0.rowCount: passed");
  });

  it("reports a missing file on every check of its object", async () => {
    const dir = tempDir();
    const conn = await DuckDbConnection.open({
      server: { type: "local", path: "missing.parquet", format: "parquet" },
      objects: [{ name: "t" }],
      baseDir: dir,
    });
    const out = (await summary(conn)).map((s) => s.replaceAll(dir, "<dir>"));
    expect(out[0]).toMatchInlineSnapshot(
      `"t.objectExists: error (cannot read t: IO Error: No files found that match the pattern "<dir>/missing.parquet")"`,
    );
    expect(out.every((s) => s.includes(": error (cannot read t:"))).toBe(true);
  });

  it("reports a file in another format than declared", async () => {
    const dir = tempDir();
    await writeData(join(dir, "t.csv"), rows);
    const conn = await DuckDbConnection.open({
      server: { type: "local", path: "t.csv", format: "parquet" },
      objects: [{ name: "t" }],
      baseDir: dir,
    });
    const out = await summary(conn);
    expect(out[0]).toMatch(/^t.objectExists: error \(cannot read t: .*parquet/i);
  });

  it("refuses formats and locations it cannot read", async () => {
    const open = (server: Record<string, unknown>) =>
      DuckDbConnection.open({ server, objects: [{ name: "t" }], baseDir: "/tmp" });
    await expect(open({ type: "local", path: "t.delta", format: "delta" })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InputError: cannot read format "delta" of /tmp/t.delta (DuckDB reads: parquet, csv, tsv, json, ndjson, jsonl)]`,
    );
    await expect(
      open({ type: "local", path: "s3://bucket/t.parquet", format: "parquet" }),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[UnprocessableError: reading s3:// data needs DuckDB's httpfs extension, which is not installed on this server: put httpfs.duckdb_extension (DuckDB v1.5.6, linux_amd64) into ~/.duckdb/extensions/v1.5.6/linux_amd64, or point QUANTA_DUCKDB_EXTENSION_DIR at a folder holding it]`,
    );
    await expect(open({ type: "duckdb", database: "/nonexistent/x.duckdb" })).rejects.toThrow(
      /cannot open DuckDB database/,
    );
  });

  it("a column of another type than the contract says fails the type check and errors only the broken metric", async () => {
    const dir = tempDir();
    await writeData(join(dir, "t.parquet"), "SELECT 'x' || range AS id, range AS n FROM range(4)");
    const conn = await DuckDbConnection.open({
      server: { type: "local", path: "t.parquet" },
      objects: [{ name: "t" }],
      baseDir: dir,
    });
    const typed = {
      schema: [
        {
          name: "t",
          properties: [
            { name: "id", logicalType: "integer", logicalTypeOptions: { minimum: 0 }, required: true },
            { name: "n", logicalType: "integer", logicalTypeOptions: { minimum: 0 } },
          ],
        },
      ],
    };
    const { checks } = await runChecks(buildChecks(typed), conn);
    await conn.close();
    expect(
      checks.map((c) => `${c.key}: ${c.result}${c.reason ? ` (${c.reason.split("\n")[0]})` : ""}`),
    ).toMatchInlineSnapshot(`
      [
        "t.objectExists: passed",
        "t.id.propertyExists: passed",
        "t.id.propertyType: failed (VARCHAR is not compatible with logicalType integer)",
        "t.id.required: passed",
        "t.id.minimum: error (Binder Error: Cannot compare values of type VARCHAR and type INTEGER_LITERAL - an explicit cast is required)",
        "t.n.propertyExists: passed",
        "t.n.propertyType: passed",
        "t.n.minimum: passed",
      ]
    `);
  });
});
