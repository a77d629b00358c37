import { DuckDbDialect, InputError } from "@quanta/core";
import { DuckDBInstance, JsonDuckDBValueConverter } from "./duckdb-api.js";
import { instanceOptions, lockDown } from "./lock-down.js";

const dialect = new DuckDbDialect();

/**
 * The records of an uploaded CSV (every value as text, header required) or Parquet file, read by
 * DuckDB's own readers in an instance that may read that one file and nothing else. At most
 * `maxRows + 1` rows are read, so a caller can tell "too many" without reading them all.
 */
export async function readTabularFile(
  file: string,
  format: "csv" | "parquet",
  maxRows: number,
): Promise<{ header: string[]; records: Record<string, unknown>[] }> {
  const instance = await DuckDBInstance.create(":memory:", { ...instanceOptions, threads: "1" });
  const conn = await instance.connect();
  try {
    await lockDown(conn, { files: [file], directories: [] });
    const path = dialect.stringLiteral(file);
    const source =
      format === "csv"
        ? `read_csv(${path}, header = true, all_varchar = true, auto_detect = true, strict_mode = true)`
        : `read_parquet(${path})`;
    let result: Awaited<ReturnType<typeof conn.runAndReadAll>>;
    try {
      result = await conn.runAndReadAll(`SELECT * FROM ${source} LIMIT ${maxRows + 1}`);
    } catch (e) {
      throw new InputError(`the file is not readable ${format.toUpperCase()}: ${(e as Error).message.split("\n")[0]}`, {
        code: "invalid-file",
      });
    }
    const header = result.columnNames();
    const rows = result.convertRows(JsonDuckDBValueConverter) as unknown[][];
    return { header, records: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? null]))) };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Writes an NDJSON file's records as one Parquet file (zstd), each column cast to the DuckDB type
 * given: how accepted ingest rows become a batch typed by the contract.
 */
export async function writeParquetFromNdjson(
  ndjson: string,
  columns: readonly { name: string; duckdbType: string }[],
  target: string,
): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:", { ...instanceOptions, threads: "1" });
  const conn = await instance.connect();
  try {
    const spec = columns
      .map((c) => `${dialect.stringLiteral(c.name)}: ${dialect.stringLiteral(c.duckdbType)}`)
      .join(", ");
    const select = columns.map((c) => dialect.quoteIdentifier(c.name)).join(", ");
    await conn.run(
      `COPY (SELECT ${select} FROM read_json(${dialect.stringLiteral(ndjson)}, format = 'newline_delimited', columns = {${spec}}))
       TO ${dialect.stringLiteral(target)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
