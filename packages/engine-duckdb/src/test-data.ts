import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "./duckdb-api.js";

/** A fresh temp folder for a test's data files. */
export function tempDir(prefix = "quanta-duckdb-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes the rows of `select` to `file` with DuckDB itself (format from the extension). */
export async function writeData(file: string, select: string): Promise<string> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const format = file.endsWith(".csv") ? "csv, header true" : file.endsWith(".json") ? "json" : "parquet";
    await conn.run(`COPY (${select}) TO '${file.replaceAll("'", "''")}' (FORMAT ${format})`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return file;
}
