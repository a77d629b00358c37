import { DuckDBInstance } from "@duckdb/node-api";
import { DuckDbDialect } from "@quanta/core";
import { instanceOptions } from "../lock-down.js";
import { readerSql } from "../sources.js";

const dialect = new DuckDbDialect();
/** A type name as DuckDB's typeof() spells it: safe to write into a CAST. */
const typeName = /^[A-Z][A-Z0-9 _(),]*$/;

export interface Watermark {
  /** The SQL literal of the highest value (`CAST('2024-01-05' AS DATE)`); null when there are no rows. */
  literal: string | null;
  /** The highest value, as text. */
  value: string | null;
}

const files = (list: readonly string[], format: string) =>
  readerSql(format, `[${list.map((f) => dialect.stringLiteral(f)).join(", ")}]`);

/**
 * The watermark of an append-only port: the highest value of `column` in its files, as a typed
 * SQL literal a step can compare with (`WHERE event_time > {{watermark}}`).
 */
export async function watermarkOf(input: {
  files: readonly string[];
  format: string;
  column: string;
}): Promise<Watermark> {
  if (input.files.length === 0) return { literal: null, value: null };
  const instance = await DuckDBInstance.create(":memory:", { ...instanceOptions, threads: "2" });
  const conn = await instance.connect();
  try {
    const col = dialect.quoteIdentifier(input.column);
    const [value, type] =
      (
        await conn.runAndReadAll(
          `SELECT max(${col})::VARCHAR, typeof(max(${col})) FROM ${files(input.files, input.format)}`,
        )
      ).getRows()[0] ?? [];
    if (value === null || value === undefined || typeof type !== "string" || !typeName.test(type))
      return { literal: null, value: null };
    return { literal: `CAST(${dialect.stringLiteral(String(value))} AS ${type})`, value: String(value) };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Rows of a Parquet file whose `column` is not above the watermark (or is null): an append must have none. */
export async function rowsNotAbove(input: { file: string; column: string; literal: string }): Promise<number> {
  const instance = await DuckDBInstance.create(":memory:", { ...instanceOptions, threads: "2" });
  const conn = await instance.connect();
  try {
    const col = dialect.quoteIdentifier(input.column);
    const rows = (
      await conn.runAndReadAll(
        `SELECT count(*) FROM ${files([input.file], "parquet")} WHERE ${col} IS NULL OR ${col} <= ${input.literal}`,
      )
    ).getRows();
    return Number(rows[0]?.[0] ?? 0);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
