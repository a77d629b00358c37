import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { DuckDbDialect, EngineError, InputError, QuantaError } from "@quanta/core";
import {
  type ConsumeLimits,
  type ConsumeOutcome,
  type ConsumeQuery,
  type ConsumeStream as CoreConsumeStream,
  consumeContentTypes,
} from "@quanta/core/engines";

/** A consume answer whose body is a web stream (what Node's HTTP servers send). */
export type ConsumeStream = CoreConsumeStream & { body: ReadableStream<Uint8Array> };

import { DuckDBDecimalType, DuckDBTypeId } from "../duckdb-api.js";
import type { SandboxDataset } from "./sandbox-dataset.js";
import type { SandboxPool } from "./sandbox-pool.js";

const dialect = new DuckDbDialect();
const contentTypes = consumeContentTypes;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

/** The consumer's SQL, or every row of the port's only dataset. */
function consumerSql(datasets: readonly SandboxDataset[], sql: string | undefined): string {
  if (sql !== undefined && sql.trim() !== "") return sql.trim().replace(/;\s*$/, "");
  const only = datasets.length === 1 ? datasets[0] : undefined;
  if (!only) {
    throw new InputError(
      `the port has ${datasets.length} datasets (${datasets.map((d) => d.name).join(", ")}); send "sql" to say what to read`,
      { code: "sql-required" },
    );
  }
  return `SELECT * FROM ${dialect.quoteIdentifier(only.name)}`;
}

/** CSV field per RFC 4180: quoted when it holds a comma, quote or line break. */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * Runs a consumer's query in a pooled sandbox whose views are exactly this reader's (masks, row
 * filters), has DuckDB write the whole result as a file (`COPY … TO`: its parallel CSV/JSON/Parquet
 * writers are about twice as cheap per row as turning rows into text chunk by chunk through
 * JavaScript; Arrow IPC, which DuckDB cannot write here, is built from its column chunks by
 * apache-arrow, see arrow-output.ts), then streams that file. Everything that can go wrong in DuckDB (guard, binding,
 * runtime errors, the time limit) happens before the first byte and throws a QuantaError, so the
 * client gets a 4xx instead of a broken 200; a slow client holds a file, not a DuckDB connection.
 */
export async function consumeQuery(
  datasets: readonly SandboxDataset[],
  query: ConsumeQuery,
  limits: ConsumeLimits,
  pool: SandboxPool,
): Promise<ConsumeStream> {
  if (query.limit > limits.maxRows) {
    throw new InputError(`limit ${query.limit} is above this server's maximum ${limits.maxRows}`, {
      code: "limit-too-large",
    });
  }
  const sql = consumerSql(datasets, query.sql);
  if (sql.length > limits.maxSqlLength) {
    throw new InputError(`the SQL has ${sql.length} characters; at most ${limits.maxSqlLength}`, {
      code: "sql-too-long",
    });
  }
  const format = query.format;
  const started = performance.now();
  const lease = await pool.acquire(datasets);
  const file = join(lease.outputDir, `${randomUUID()}.${format}`);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    lease.conn.interrupt();
  }, limits.timeoutMs);
  const removeFile = () => rm(file, { force: true }).catch(() => {});
  try {
    await lease.sandbox.guard(sql, lease.conn);
    // The consumer's text sits alone on its lines (a trailing comment cannot swallow the wrapper);
    // the wrapped statement is guarded again so the wrapper itself cannot be subverted. JSON and
    // CSV read one row past the limit to tell a complete result from a truncated one.
    const binary = format === "parquet" || format === "arrow";
    const wrapped = `SELECT * FROM (\n${sql}\n) AS consume_result LIMIT ${binary ? query.limit : query.limit + 1}`;
    await lease.sandbox.guard(wrapped, lease.conn);
    const prepared = await lease.conn.prepare(wrapped); // binds: unknown columns fail here, as a 400
    const columns = Array.from({ length: prepared.columnCount }, (_, i) => {
      const type = prepared.columnType(i);
      return {
        name: prepared.columnName(i),
        type: String(type),
        typeId: prepared.columnTypeId(i),
        ...(type instanceof DuckDBDecimalType ? { width: type.width, scale: type.scale } : {}),
      };
    });
    prepared.destroySync();
    const written =
      format === "arrow"
        ? await (await import("./arrow-output.js")).writeArrowStream(lease.conn, wrapped, columns, file, (name) =>
            dialect.quoteIdentifier(name),
          )
        : Number(
            (
              await lease.conn.run(
                `COPY (${resultSql(wrapped, columns, format)}) TO ${dialect.stringLiteral(file)} (${copyOptions[format]})`,
              )
            ).rowsChanged,
          );
    clearTimeout(timer);
    lease.release();
    const size = (await stat(file)).size;
    const served = { columns: columns.map(({ name, type }) => ({ name, type })), started, file, removeFile };
    return format === "parquet" || format === "arrow"
      ? fileStream({ ...served, contentType: contentTypes[format], rows: written, truncated: false, size })
      : await textStream({ ...served, format, written, limit: query.limit, size });
  } catch (e) {
    clearTimeout(timer);
    try {
      lease.conn.interrupt();
    } catch {
      // released already: nothing runs on it
    }
    lease.release();
    await removeFile();
    // A file the server could not write (a full disk) is the server's failure, not the query's.
    const systemError = typeof (e as { syscall?: unknown } | null)?.syscall === "string";
    throw (e instanceof QuantaError && !(e instanceof EngineError)) || systemError
      ? e
      : timedOut
        ? new InputError(`the query ran longer than the time limit of ${limits.timeoutMs} ms and was stopped`, {
            code: "query-timeout",
          })
        : new InputError(`the query failed: ${message(e)}`, { code: "query-failed" });
  }
}

const copyOptions: Record<"json" | "csv" | "parquet", string> = {
  // An array `[\n\t{…},\n\t{…}\n]`: JSON strings escape every control character, so `,\n` occurs
  // only between rows (see textStream's cut).
  json: "FORMAT json, ARRAY true",
  // RFC 4180 line ends; the header is written by the server (column names exactly as the result's).
  csv: "FORMAT csv, HEADER false, NEW_LINE '\\r\\n'",
  parquet: "FORMAT parquet, COMPRESSION zstd",
};

const nestedTypes = new Set<DuckDBTypeId>([
  DuckDBTypeId.LIST,
  DuckDBTypeId.STRUCT,
  DuckDBTypeId.MAP,
  DuckDBTypeId.ARRAY,
  DuckDBTypeId.UNION,
]);

/** The result as written: CSV cells of nested values as JSON text (DuckDB would write `[1, 2]`). */
function resultSql(
  wrapped: string,
  columns: { name: string; typeId: DuckDBTypeId }[],
  format: "json" | "csv" | "parquet",
): string {
  if (format !== "csv" || !columns.some((c) => nestedTypes.has(c.typeId))) return wrapped;
  // Columns renamed positionally so duplicate names cannot collide.
  const alias = (i: number) => dialect.quoteIdentifier(`c${i}`);
  const cells = columns.map((c, i) => (nestedTypes.has(c.typeId) ? `to_json(${alias(i)})::VARCHAR` : alias(i)));
  return `SELECT ${cells.join(", ")} FROM (${wrapped}) AS r(${columns.map((_, i) => alias(i)).join(", ")})`;
}

interface WrittenResult {
  columns: { name: string; type: string }[];
  started: number;
  file: string;
  removeFile: () => Promise<void>;
}

/**
 * JSON as `{columns, rows, rowCount, truncated}` around the array DuckDB wrote, CSV as the header
 * and DuckDB's records. With one row past the limit written, the file is cut before that row.
 */
async function textStream(
  r: WrittenResult & { format: "json" | "csv"; written: number; limit: number; size: number },
): Promise<ConsumeStream> {
  const truncated = r.written > r.limit;
  const rows = Math.min(r.written, r.limit);
  if (r.format === "csv") {
    const header = `${r.columns.map((c) => csvField(c.name)).join(",")}\r\n`;
    const end = truncated ? await lastCsvRecordStart(r.file, r.size) : r.size;
    return fileStream({ ...r, contentType: contentTypes.csv, rows, truncated, size: end, prefix: header });
  }
  // Without the cut: everything but the file's final newline; with it: up to the last row's `,\n`.
  const end = truncated ? await lastJsonRowSeparator(r.file, r.size) : Math.max(0, r.size - 1);
  return fileStream({
    ...r,
    contentType: contentTypes.json,
    rows,
    truncated,
    size: end,
    prefix: `{"columns":${JSON.stringify(r.columns)},"rows":`,
    suffix: `${truncated ? "\n]" : ""},"rowCount":${rows},"truncated":${truncated}}\n`,
  });
}

/** Reads the file backwards in blocks, handing each block (and its offset) to `find` until it answers. */
async function scanBackwards(
  file: string,
  size: number,
  find: (block: Buffer, offset: number) => number | undefined,
): Promise<number> {
  const handle = await open(file, "r");
  try {
    const blockSize = 64 * 1024;
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - blockSize);
      const block = Buffer.alloc(end - start);
      await handle.read(block, 0, block.length, start);
      const found = find(block, start);
      if (found !== undefined) return found;
      end = start;
    }
  } finally {
    await handle.close();
  }
  throw new Error("the result file has no row boundary where one was expected");
}

/** Where the last row's `,\n` starts in DuckDB's JSON array (at least two rows were written). */
function lastJsonRowSeparator(file: string, size: number): Promise<number> {
  let carry = -1; // a `\n` seen at the start of the previous (later) block
  return scanBackwards(file, size, (block, offset) => {
    if (carry >= 0 && block[block.length - 1] === 0x2c) return offset + block.length - 1;
    for (let i = block.length - 1; i > 0; i--) {
      i = block.lastIndexOf(0x0a, i);
      if (i <= 0) break;
      if (block[i - 1] === 0x2c) return offset + i - 1;
    }
    carry = block[0] === 0x0a ? 0 : -1;
    return undefined;
  });
}

/**
 * Where the last CSV record starts. A record boundary is a line end followed by complete records,
 * i.e. with an even number of quotes after it; a line end inside a quoted field has an odd number.
 */
function lastCsvRecordStart(file: string, size: number): Promise<number> {
  let quotes = 0;
  let first = true;
  return scanBackwards(file, size, (block, offset) => {
    // The file's final line end closes the last record itself: not a boundary.
    for (let i = block.length - 1 - (first ? 1 : 0); i >= 0; i--) {
      const b = block[i];
      if (b === 0x22) quotes++;
      else if (b === 0x0a && quotes % 2 === 0) return offset + i + 1;
    }
    first = false;
    return undefined;
  });
}

/** Streams `prefix`, the file's first `size` bytes and `suffix`; settles `done` and removes the file when over. */
function fileStream(
  r: WrittenResult & {
    contentType: string;
    rows: number;
    truncated: boolean;
    size: number;
    prefix?: string;
    suffix?: string;
  },
): ConsumeStream {
  const encoder = new TextEncoder();
  const parts: (Uint8Array | "file")[] = [
    ...(r.prefix ? [encoder.encode(r.prefix)] : []),
    ...(r.size > 0 ? (["file"] as const) : []),
    ...(r.suffix ? [encoder.encode(r.suffix)] : []),
  ];
  let bytes = 0;
  let reader: AsyncIterator<Buffer> | undefined;
  let finished = false;
  let settle: (o: ConsumeOutcome) => void = () => {};
  const done = new Promise<ConsumeOutcome>((resolve) => {
    settle = resolve;
  });
  const finish = async (error?: string) => {
    if (finished) return;
    finished = true;
    await reader?.return?.();
    await r.removeFile();
    settle({
      rows: r.rows,
      bytes,
      durationMs: performance.now() - r.started,
      truncated: r.truncated,
      ...(error ? { error } : {}),
    });
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const part = parts[0];
            if (part === undefined) {
              controller.close();
              await finish();
              return;
            }
            if (part !== "file") {
              parts.shift();
              bytes += part.length;
              controller.enqueue(part);
              return;
            }
            reader ??= createReadStream(r.file, { start: 0, end: r.size - 1, highWaterMark: 1024 * 1024 })[
              Symbol.asyncIterator
            ]();
            const next = await reader.next();
            if (next.done) {
              parts.shift();
              continue;
            }
            bytes += next.value.length;
            controller.enqueue(next.value);
            return;
          }
        } catch (e) {
          controller.error(e);
          await finish(message(e));
        }
      },
      async cancel() {
        await finish("the client stopped reading");
      },
    },
    { highWaterMark: 1 },
  );
  return { contentType: r.contentType, columns: r.columns, body, done };
}
