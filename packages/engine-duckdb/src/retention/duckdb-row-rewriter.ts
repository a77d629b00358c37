import { DuckDbDialect, InputError } from "@quanta/core";
import type { FileRows, RowRewriteRequest, RowRewriter } from "@quanta/core/engines";
import { type DuckDBConnection, DuckDBInstance } from "../duckdb-api.js";
import { readerSql } from "../sources.js";

const dialect = new DuckDbDialect();

/** How a rewritten file is written in each format a dataset may have, and its extension. */
const writers: Record<string, { options: string; extension: string }> = {
  parquet: { options: "FORMAT parquet", extension: "parquet" },
  csv: { options: "FORMAT csv, HEADER true", extension: "csv" },
  json: { options: "FORMAT json", extension: "ndjson" },
  ndjson: { options: "FORMAT json", extension: "ndjson" },
  jsonl: { options: "FORMAT json", extension: "ndjson" },
};

const writerOf = (format: string) => {
  const writer = writers[format];
  if (!writer) throw new InputError(`cannot rewrite files of format ${JSON.stringify(format)}`);
  return writer;
};

/** SQL of a request: the reader of its files, and whether a row is old. */
function sqlOf(request: RowRewriteRequest, files: readonly string[]) {
  if (files.length === 0) throw new InputError("a dataset with no files");
  const at = `CAST(${dialect.quoteIdentifier(request.older.column)} AS TIMESTAMPTZ)`;
  return {
    from: readerSql(request.format, `[${files.map((f) => dialect.stringLiteral(f)).join(", ")}]`),
    at,
    old: `${at} < ${dialect.stringLiteral(request.older.before.toISOString())}::TIMESTAMPTZ`,
  };
}

/**
 * One in-memory DuckDB for one call, judging in UTC: a DATE or a zone-less TIMESTAMP cast to
 * TIMESTAMPTZ takes the session's zone, which is the machine's own by default, so two replicas in
 * different zones would cut at different instants.
 */
async function withDuckDb<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    threads: "1",
  });
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    return await work(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const first = async (conn: DuckDBConnection, sql: string) => (await conn.runAndReadAll(sql)).getRows()[0] ?? [];

/** Files rewritten without their old rows, by DuckDB where they lie. */
export const duckDbRowRewriter: RowRewriter = {
  extension: (format) => writers[format]?.extension,

  count: (request) =>
    withDuckDb(async (conn) => {
      const counted: FileRows[] = [];
      for (const file of request.files) {
        const { from, old } = sqlOf(request, [file]);
        const [rows, older] = await first(conn, `SELECT count(*), count(*) FILTER (WHERE ${old}) FROM ${from}`);
        counted.push({ file, rows: Number(rows ?? 0), older: Number(older ?? 0) });
      }
      return counted;
    }),

  rewriteWithout: (request) =>
    withDuckDb(async (conn) => {
      const { options } = writerOf(request.format);
      const { from, at, old } = sqlOf(request, request.files);
      const kept = `SELECT * FROM ${from} WHERE NOT (${old}) OR ${at} IS NULL`;
      const [n] = await first(conn, `SELECT count(*) FROM (${kept})`);
      await conn.run(`COPY (${kept}) TO ${dialect.stringLiteral(request.to)} (${options})`);
      return Number(n ?? 0);
    }),
};
