// A zone far from UTC, set before DuckDB loads: a cut taken in the session's zone would be 14 hours off.
process.env.TZ = "Pacific/Kiritimati";

import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { RowRewriter } from "@quanta/core/engines";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duckdbEngine } from "../manifest.js";

describe("the DuckDB engine's row rewriter, through its manifest", () => {
  let rewriter: RowRewriter;
  let dir: string;
  let write: (file: string, select: string) => Promise<string>;
  let rowsOf: (sql: string) => Promise<Record<string, unknown>[]>;

  beforeAll(async () => {
    const loaded = await duckdbEngine.loadRowRewriter?.();
    if (!loaded) throw new Error("the DuckDB manifest offers no row rewriter");
    rewriter = loaded;
    const data = await import("../test-data.js");
    dir = data.tempDir("quanta-rewrite-");
    write = (file, select) => data.writeData(join(dir, file), select);
    const { DuckDBInstance } = await import("../duckdb-api.js");
    rowsOf = async (sql) => {
      const instance = await DuckDBInstance.create(":memory:");
      const conn = await instance.connect();
      try {
        await conn.run("SET TimeZone = 'UTC'");
        return (await conn.runAndReadAll(sql)).getRowObjectsJson();
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
    };
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("DuckDB of this test runs in the far zone, so a cut in the session's zone would show", async () => {
    const { DuckDBInstance } = await import("../duckdb-api.js");
    const conn = await (await DuckDBInstance.create(":memory:")).connect();
    const [row] = (
      await conn.runAndReadAll(
        "SELECT current_setting('TimeZone') AS tz, CAST(DATE '2000-01-02' AS TIMESTAMPTZ) < TIMESTAMPTZ '2000-01-02 00:00:00+00' AS early",
      )
    ).getRowObjectsJson();
    conn.closeSync();
    expect(row).toEqual({ tz: "Pacific/Kiritimati", early: true });
  });

  it("judges a DATE and a zone-less TIMESTAMP in UTC, not in the machine's zone", async () => {
    const dates = await write(
      "dates.parquet",
      "SELECT * FROM (VALUES (1, DATE '2000-01-01'), (2, DATE '2000-01-02'), (3, NULL::DATE)) t(id, day)",
    );
    const times = await write(
      "times.parquet",
      "SELECT * FROM (VALUES (1, TIMESTAMP '2000-01-01 11:00:00'), (2, TIMESTAMP '2000-01-01 13:00:00')) t(id, \"at\")",
    );
    // Midnight UTC of 2 January: 1 January is old, 2 January (the very instant) is not.
    const byDay = {
      format: "parquet",
      files: [dates],
      older: { column: "day", before: new Date("2000-01-02T00:00:00Z") },
    };
    expect(await rewriter.count(byDay)).toEqual([{ file: dates, rows: 3, older: 1 }]);
    // Noon UTC: 11:00 is old, 13:00 is not (in UTC+14 both would be old, the day before).
    const byTime = {
      format: "parquet",
      files: [times],
      older: { column: "at", before: new Date("2000-01-01T12:00:00Z") },
    };
    expect(await rewriter.count(byTime)).toEqual([{ file: times, rows: 2, older: 1 }]);
    const to = join(dir, "dates-kept.parquet");
    expect(await rewriter.rewriteWithout({ ...byDay, to })).toBe(2);
    expect(await rowsOf(`SELECT id, day FROM read_parquet('${to}') ORDER BY id`)).toEqual([
      { id: 2, day: "2000-01-02" },
      { id: 3, day: null },
    ]);
  });

  it("counts each file and rewrites several into one, in each format, rows with no time kept", async () => {
    const older = { column: "at", before: new Date("2050-01-01T00:00:00Z") };
    const a = await write(
      "a.csv",
      "SELECT * FROM (VALUES (1, '2000-01-01T00:00:00Z'), (2, '2100-01-01T00:00:00Z')) t(id, \"at\")",
    );
    const b = await write("b.csv", "SELECT * FROM (VALUES (3, NULL), (4, '2000-06-01 08:00:00')) t(id, \"at\")");
    expect(await rewriter.count({ format: "csv", files: [a, b], older })).toEqual([
      { file: a, rows: 2, older: 1 },
      { file: b, rows: 2, older: 1 },
    ]);
    const to = join(dir, `kept.${rewriter.extension("csv")}`);
    expect(await rewriter.rewriteWithout({ format: "csv", files: [a, b], older, to })).toBe(2);
    expect((await readFile(to, "utf8")).split("\n")[0]).toBe("id,at");
    expect((await rowsOf(`SELECT id FROM read_csv('${to}') ORDER BY id`)).map((r) => Number(r.id))).toEqual([2, 3]);

    const j = await write("c.json", "SELECT * FROM (VALUES (5, TIMESTAMPTZ '2000-01-01 00:00:00+00')) t(id, \"at\")");
    const none = join(dir, `none.${rewriter.extension("json")}`);
    expect(none.endsWith(".ndjson")).toBe(true);
    expect(await rewriter.rewriteWithout({ format: "json", files: [j], older, to: none })).toBe(0);
    expect((await stat(none)).isFile()).toBe(true);
  });

  it("names no extension for a format it cannot write; a hostile or missing column rejects, nothing written", async () => {
    expect([rewriter.extension("tsv"), rewriter.extension("xlsx"), rewriter.extension("parquet")]).toEqual([
      undefined,
      undefined,
      "parquet",
    ]);
    const file = await write("h.parquet", "SELECT 1 AS id, TIMESTAMPTZ '2000-01-01 00:00:00+00' AS at");
    for (const column of ['at" IS NULL; DROP TABLE x; --', "at') OR 1=1 --", "nope"]) {
      const request = { format: "parquet", files: [file], older: { column, before: new Date() } };
      await expect(rewriter.count(request)).rejects.toThrow(/not found/i);
      const to = join(dir, "hostile.parquet");
      await expect(rewriter.rewriteWithout({ ...request, to })).rejects.toThrow(/not found/i);
      await expect(stat(to)).rejects.toThrow(/ENOENT/);
    }
    await expect(
      rewriter.count({ format: "parquet", files: [file], older: { column: "id", before: new Date() } }),
    ).rejects.toThrow(/cast|convert/i);
  });
});
