import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, writeData } from "../test-data.js";
import { rowsNotAbove, watermarkOf } from "./watermark.js";

describe("watermarkOf", () => {
  it("answers the highest value as a typed literal, and counts rows not above it", async () => {
    const dir = tempDir("quanta-watermark-");
    const a = await writeData(
      join(dir, "a.parquet"),
      "SELECT TIMESTAMP '2024-01-01 10:00:00' + INTERVAL (i) HOUR AS at FROM range(3) t(i)",
    );
    const b = await writeData(join(dir, "b.parquet"), "SELECT TIMESTAMP '2024-01-01 12:30:00' AS at");
    const mark = await watermarkOf({ files: [a, b], format: "parquet", column: "at" });
    expect(mark).toEqual({ value: "2024-01-01 12:30:00", literal: "CAST('2024-01-01 12:30:00' AS TIMESTAMP)" });
    expect(await watermarkOf({ files: [], format: "parquet", column: "at" })).toEqual({ value: null, literal: null });
    expect(await rowsNotAbove({ file: a, column: "at", literal: mark.literal as string })).toBe(3);
    expect(await rowsNotAbove({ file: a, column: "at", literal: "CAST('2024-01-01 10:30:00' AS TIMESTAMP)" })).toBe(1);
  });
});
