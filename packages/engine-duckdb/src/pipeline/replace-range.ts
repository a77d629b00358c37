import { DuckDBInstance } from "@duckdb/node-api";
import { DuckDbDialect, InputError } from "@quanta/core";
import { instanceOptions } from "../lock-down.js";
import { readerSql } from "../sources.js";

const dialect = new DuckDbDialect();
const isoDate = /^\d{4}-\d{2}-\d{2}$/;

export interface ReplaceRangeRequest {
  /** The files of the version the range is replaced in (absolute paths). */
  previous: readonly string[];
  format: string;
  /** The run's rows (Parquet), which must all lie in the range. */
  replacement: string;
  /** The date column (a timestamp is taken by its date). */
  column: string;
  /** Inclusive, `YYYY-MM-DD`. */
  from: string;
  to: string;
  /** Where the rows outside the range of files that straddle it are written (Parquet), when there are any. */
  remainderFile: string;
}

export interface ReplaceRangeResult {
  /** Files of `previous` wholly outside the range: the new version lists them as they are. */
  kept: string[];
  /** Rows of the kept files. */
  keptRows: number;
  /** Rows outside the range from files that straddle it, written to `remainderFile`; 0: no such file. */
  remainderRows: number;
  /** Files of `previous` wholly inside the range: the new version drops them. */
  dropped: string[];
  /** Rows of `replacement` outside the range (a backfill that keeps to its range has none). */
  outside: number;
  /** Rows of `replacement`. */
  rows: number;
}

/**
 * The pieces of a version whose date range `from..to` is replaced (a backfill): files of the
 * previous version wholly outside the range are kept as they are, files wholly inside are dropped,
 * and the outside rows of files straddling it are written to one remainder file. Each file's range
 * is read with `min`/`max` (Parquet answers those from its statistics). Rows whose date is null are
 * outside every range, so they are kept.
 */
export async function replaceRange(request: ReplaceRangeRequest): Promise<ReplaceRangeResult> {
  if (!isoDate.test(request.from) || !isoDate.test(request.to))
    throw new InputError(`a range is two dates, YYYY-MM-DD: "${request.from}" to "${request.to}"`);
  const instance = await DuckDBInstance.create(":memory:", { ...instanceOptions, threads: "2" });
  const conn = await instance.connect();
  const day = `CAST(${dialect.quoteIdentifier(request.column)} AS DATE)`;
  const inRange = `${day} BETWEEN DATE '${request.from}' AND DATE '${request.to}'`;
  const read = (files: readonly string[], format: string) =>
    readerSql(format, `[${files.map((f) => dialect.stringLiteral(f)).join(", ")}]`);
  const one = async (sql: string) => (await conn.runAndReadAll(sql)).getRows()[0] ?? [];
  try {
    const [rows, outside] = await one(
      `SELECT count(*), count(*) FILTER (WHERE NOT (${inRange}) OR ${day} IS NULL) FROM ${read([request.replacement], "parquet")}`,
    );
    const kept: string[] = [];
    const dropped: string[] = [];
    const straddling: string[] = [];
    for (const file of request.previous) {
      const [min, max, nulls] = await one(
        `SELECT min(${day})::VARCHAR, max(${day})::VARCHAR, count(*) FILTER (WHERE ${day} IS NULL) FROM ${read([file], request.format)}`,
      );
      const lo = min === null ? null : String(min);
      const hi = max === null ? null : String(max);
      if (lo === null || hi === null || hi < request.from || lo > request.to) kept.push(file);
      else if (lo >= request.from && hi <= request.to && Number(nulls) === 0) dropped.push(file);
      else straddling.push(file);
    }
    let keptRows = 0;
    if (kept.length > 0) keptRows = Number((await one(`SELECT count(*) FROM ${read(kept, request.format)}`))[0] ?? 0);
    let remainderRows = 0;
    if (straddling.length > 0) {
      const [n] = await one(
        `SELECT count(*) FROM ${read(straddling, request.format)} WHERE NOT (${inRange}) OR ${day} IS NULL`,
      );
      remainderRows = Number(n ?? 0);
      if (remainderRows > 0)
        await conn.run(
          `COPY (SELECT * FROM ${read(straddling, request.format)} WHERE NOT (${inRange}) OR ${day} IS NULL)
           TO ${dialect.stringLiteral(request.remainderFile)} (FORMAT parquet)`,
        );
    }
    return {
      kept,
      keptRows,
      remainderRows,
      dropped: [...dropped, ...straddling],
      outside: Number(outside ?? 0),
      rows: Number(rows ?? 0),
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
