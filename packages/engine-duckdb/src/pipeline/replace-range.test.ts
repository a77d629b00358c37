import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { tempDir, writeData } from "../test-data.js";
import { replaceRange } from "./replace-range.js";

const days = (from: string, n: number) => `SELECT DATE '${from}' + i::INTEGER AS day, i AS v FROM range(${n}) t(i)`;

describe("replaceRange", () => {
  it("keeps files outside the range, drops those inside, and writes the outside rows of those straddling it", async () => {
    const dir = tempDir("quanta-range-");
    await mkdir(join(dir, "out"), { recursive: true });
    const january = await writeData(join(dir, "january.parquet"), days("2024-01-01", 31));
    const february = await writeData(join(dir, "february.parquet"), days("2024-02-01", 29));
    const march = await writeData(join(dir, "march.parquet"), days("2024-03-01", 31));
    const replacement = await writeData(join(dir, "new.parquet"), days("2024-02-10", 30));
    const remainderFile = join(dir, "out", "remainder.parquet");
    const r = await replaceRange({
      previous: [january, february, march],
      format: "parquet",
      replacement,
      column: "day",
      from: "2024-02-10",
      to: "2024-03-31",
      remainderFile,
    });
    expect(r).toEqual({
      kept: [january],
      keptRows: 31,
      dropped: [march, february],
      remainderRows: 9,
      outside: 0,
      rows: 30,
    });
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    const rows = (
      await conn.runAndReadAll(`SELECT min(day)::VARCHAR, max(day)::VARCHAR FROM '${remainderFile}'`)
    ).getRows();
    expect(rows).toEqual([["2024-02-01", "2024-02-09"]]);
    conn.closeSync();
    instance.closeSync();
    const loose = await replaceRange({
      ...r,
      previous: [],
      format: "parquet",
      replacement: january,
      column: "day",
      from: "2024-01-10",
      to: "2024-01-20",
      remainderFile,
    });
    expect(loose.outside).toBe(20);
  });
});
