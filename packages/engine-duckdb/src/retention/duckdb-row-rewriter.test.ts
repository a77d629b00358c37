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
