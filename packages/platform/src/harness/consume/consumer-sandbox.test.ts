import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { defaultConsumeLimits } from "@quanta/core/engines";
import type { SandboxDataset } from "@quanta/engine-duckdb";
import { consumeQuery, SandboxPool } from "@quanta/engine-duckdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponse } from "../../http/error-response.js";

// A reader whose agreement keeps only sensor-1 and masks the e-mail: the largest values and every
// e-mail are in rows or columns the view hides, so any answer that shows them read past the view.
let root: string;
let filtered: SandboxDataset;
let pool: SandboxPool;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "quanta-consumer-sandbox-"));
  const file = join(root, "readings.parquet");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  await conn.run(`COPY (
      SELECT i AS id, 'sensor-' || (i % 2) AS sensor,
             CASE WHEN i % 2 = 1 THEN 600 + i / 100 ELSE 609 + i / 100 END::DECIMAL(8, 2) AS value,
             'person' || i || '@example.com' AS email
      FROM range(1, 35) t(i)) TO '${file}' (FORMAT parquet)`);
  conn.closeSync();
  instance.closeSync();
  filtered = {
    name: "readings",
    files: [file],
    format: "parquet",
    rowFilters: ["sensor = 'sensor-1'"],
    masked: ["email"],
  };
  pool = new SandboxPool(join(root, "tmp"), { idleMs: 60_000 });
});

afterAll(async () => {
  pool?.close();
  await rm(root, { recursive: true, force: true });
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const stream = await consumeQuery([filtered], { sql, limit: 100, format: "json" }, defaultConsumeLimits, pool);
  return (JSON.parse(await new Response(stream.body).text()) as { rows: Record<string, unknown>[] }).rows;
}

describe("a consume query over a row-filtered, masked view", () => {
  it("aggregates only the rows the filter lets through", async () => {
    // Visible: the odd ids 1…33, values 600.01…600.33; the hidden even ids reach 609.34.
    expect(await rows("SELECT max(value) AS top, count(*) AS n, min(sensor) AS s FROM readings")).toEqual([
      { top: 600.33, n: 17, s: "sensor-1" },
    ]);
    // Approximations are over the same rows: never above the visible maximum.
    const [approx] = await rows(
      "SELECT approx_quantile(value, 1.0) AS q, approx_count_distinct(email) AS e, max(email) AS m FROM readings",
    );
    expect(approx).toMatchObject({ e: 1, m: "***" });
    expect(approx?.q).toBeLessThanOrEqual(600.33);
  });

  // Each answers from the file's statistics, the catalog or the server instead of the served rows.
  const refused: [string, RegExp][] = [
    ["SELECT stats(value) AS s FROM readings", /function stats\(\) reads the statistics/],
    ["SELECT STATS(value) FROM readings", /function stats\(\)/],
    ["SELECT value.stats() FROM readings", /function stats\(\)/],
    ["SELECT main.stats(email) FROM readings", /function stats\(\)/],
    ["SELECT list_transform([value], x -> stats(x)) FROM readings", /function stats\(\)/],
    [
      "SELECT pg_get_viewdef(x) FROM (SELECT unnest(generate_series(1, 50000)) AS x) WHERE pg_get_viewdef(x) IS NOT NULL",
      /function pg_get_viewdef\(\) reads the catalog/,
    ],
    ["SELECT col_description(1, 1), obj_description(1, 'x')", /function col_description\(\)/],
    ["SELECT shobj_description(1, 'x')", /function shobj_description\(\)/],
    ["SELECT pg_get_expr('x', 1), pg_get_constraintdef(1)", /function pg_get_expr\(\)/],
    ["SELECT current_query()", /function current_query\(\)/],
    ["SELECT current_setting('allowed_paths')", /function current_setting/],
    ["SELECT json_serialize_plan('SELECT * FROM readings')", /function json_serialize_plan\(\)/],
    ["SELECT enum_range(sensor), enum_first(sensor), enum_last(sensor) FROM readings", /function enum_range\(\)/],
    ["SELECT enum_range_boundary(sensor, sensor) FROM readings", /function enum_range_boundary\(\)/],
    ["SELECT getvariable('x')", /function getvariable\(\)/],
    ["SELECT * FROM parquet_metadata('FILE')", /table function parquet_metadata/],
    ["SELECT * FROM parquet_schema('FILE')", /table function parquet_schema/],
    ["SELECT * FROM parquet_file_metadata('FILE')", /table function parquet_file_metadata/],
    ["SELECT * FROM parquet_kv_metadata('FILE')", /table function parquet_kv_metadata/],
    ["SELECT * FROM parquet_full_metadata('FILE')", /table function parquet_full_metadata/],
    ["SELECT * FROM parquet_bloom_probe('FILE', 'sensor', 'sensor-0')", /table function parquet_bloom_probe/],
    ["SELECT max(value) FROM read_parquet('FILE')", /table function read_parquet/],
    ["SELECT max(value) FROM parquet_scan('FILE')", /table function parquet_scan/],
    ["SELECT * FROM glob('*')", /table function glob/],
    ["SELECT * FROM 'FILE'", /reading the file|not one of/],
    ["SELECT sql FROM duckdb_views()", /table function duckdb_views/],
    ["SELECT * FROM duckdb_columns()", /table function duckdb_columns/],
    ["SELECT * FROM duckdb_settings()", /table function duckdb_settings/],
    ["SELECT * FROM duckdb_functions()", /table function duckdb_functions/],
    ["SELECT * FROM pragma_table_info('readings')", /table function pragma_table_info/],
    ["SELECT * FROM pragma_storage_info('readings')", /table function pragma_storage_info/],
    ["SELECT * FROM summary((SELECT value FROM readings))", /table function summary/],
    ["SELECT * FROM histogram(readings, value)", /table function histogram/],
    ["SELECT * FROM query('SELECT 1')", /table function query/],
    ["SELECT * FROM sql_auto_complete('SELECT')", /table function sql_auto_complete/],
    ["SUMMARIZE readings", /SUMMARIZE, DESCRIBE and SHOW/],
    ["SELECT * FROM (SUMMARIZE readings)", /SUMMARIZE, DESCRIBE and SHOW are not allowed/],
    ["DESCRIBE readings", /SUMMARIZE, DESCRIBE and SHOW/],
    ["SELECT * FROM (DESCRIBE readings)", /SUMMARIZE, DESCRIBE and SHOW are not allowed/],
    ["SHOW readings", /SUMMARIZE, DESCRIBE and SHOW/],
    ["PRAGMA table_info('readings')", /only a single SELECT|Only SELECT/i],
    ["EXPLAIN SELECT * FROM readings", /only a single SELECT|Only SELECT/i],
  ];
  it.each(refused)("refuses %s with a 400 naming why", async (sql, reason) => {
    const query = sql.replaceAll("FILE", filtered.files?.[0] as string);
    const refusal = await rows(query).then(
      () => undefined,
      (e: unknown) => {
        const { status, body } = errorResponse(e);
        return { status, ...body.error };
      },
    );
    expect(refusal, `${query} was answered`).toMatchObject({ status: 400, code: "sql-refused" });
    expect(refusal?.message).toMatch(reason);
  });
});
