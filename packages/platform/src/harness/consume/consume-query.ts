import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type DuckDBResult, DuckDBTypeId } from "@duckdb/node-api";
import { DuckDbDialect } from "@quanta/core";
import { HarnessError } from "../harness-error.js";
import type { PortDataset } from "../port-data.js";
import { ConsumerSandbox } from "./consumer-sandbox.js";

export type ConsumeFormat = "json" | "csv" | "parquet" | "arrow";
export const consumeFormats: readonly ConsumeFormat[] = ["json", "csv", "parquet", "arrow"];

export interface ConsumeLimits {
  /** Rows returned when the request names no limit. */
  defaultRows: number;
  /** The largest `limit` a request may ask for. */
  maxRows: number;
  /** Wall time of one query, from start to its last row; then DuckDB is interrupted. */
  timeoutMs: number;
  /** Longest SQL text accepted, in characters. */
  maxSqlLength: number;
}

export const defaultConsumeLimits: ConsumeLimits = {
  defaultRows: 10_000,
  maxRows: 1_000_000,
  timeoutMs: 30_000,
  maxSqlLength: 20_000,
};

export interface ConsumeQuery {
  sql?: string | undefined;
  limit: number;
  format: ConsumeFormat;
}

export interface ConsumeOutcome {
  rows: number;
  bytes: number;
  durationMs: number;
  truncated: boolean;
  error?: string;
}

export interface ConsumeStream {
  contentType: string;
  columns: { name: string; type: string }[];
  body: ReadableStream<Uint8Array>;
  /** Settles when the body has been fully sent, cancelled or failed. */
  done: Promise<ConsumeOutcome>;
}

const dialect = new DuckDbDialect();
const contentTypes: Record<Exclude<ConsumeFormat, "arrow">, string> = {
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  parquet: "application/vnd.apache.parquet",
};
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

/** The consumer's SQL, or every row of the port's only dataset. */
function consumerSql(datasets: readonly PortDataset[], sql: string | undefined): string {
  if (sql !== undefined && sql.trim() !== "") return sql.trim().replace(/;\s*$/, "");
  const only = datasets.length === 1 ? datasets[0] : undefined;
  if (!only) {
    throw new HarnessError(
      400,
      "sql-required",
      `the port has ${datasets.length} datasets (${datasets.map((d) => d.name).join(", ")}); send "sql" to say what to read`,
    );
  }
  return `SELECT * FROM ${dialect.quoteIdentifier(only.name)}`;
}

/** CSV field per RFC 4180: quoted when it holds a comma, quote or line break. */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Runs a consumer's query in a fresh sandbox and streams the result chunk by chunk (DuckDB's
 * streaming result: a chunk is fetched only when the client has taken the previous one).
 * Everything that can go wrong before the first byte (guard, binding, time limit) throws a
 * HarnessError, so the client gets a 4xx instead of a broken 200.
 */
export async function consumeQuery(
  datasets: readonly PortDataset[],
  query: ConsumeQuery,
  limits: ConsumeLimits,
  tempRoot: string,
): Promise<ConsumeStream> {
  if (query.format === "arrow") {
    throw new HarnessError(
      415,
      "format-unavailable",
      "format arrow is not available: the DuckDB Node API this server uses has no Arrow IPC output and its arrow extension cannot be installed offline; use parquet (columnar, typed) or json/csv",
    );
  }
  if (query.limit > limits.maxRows) {
    throw new HarnessError(
      400,
      "limit-too-large",
      `limit ${query.limit} is above this server's maximum ${limits.maxRows}`,
    );
  }
  const sql = consumerSql(datasets, query.sql);
  if (sql.length > limits.maxSqlLength) {
    throw new HarnessError(400, "sql-too-long", `the SQL has ${sql.length} characters; at most ${limits.maxSqlLength}`);
  }
  const started = performance.now();
  let outputDir: string | undefined;
  if (query.format === "parquet") {
    await mkdir(tempRoot, { recursive: true });
    outputDir = await mkdtemp(join(tempRoot, "consume-"));
  }
  const sandbox = await ConsumerSandbox.open(datasets, { outputDir }).catch(async (e: unknown) => {
    if (outputDir) await rm(outputDir, { recursive: true, force: true });
    throw e;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    sandbox.conn.interrupt();
  }, limits.timeoutMs);
  const cleanup = async () => {
    clearTimeout(timer);
    sandbox.conn.interrupt();
    sandbox.close();
    if (outputDir) await rm(outputDir, { recursive: true, force: true }).catch(() => {});
  };
  const failure = (e: unknown) =>
    e instanceof HarnessError
      ? e
      : timedOut
        ? new HarnessError(
            400,
            "query-timeout",
            `the query ran longer than the time limit of ${limits.timeoutMs} ms and was stopped`,
          )
        : new HarnessError(400, "query-failed", `the query failed: ${message(e)}`);

  try {
    await sandbox.guard(sql);
    // The consumer's text sits alone on its lines (a trailing comment cannot swallow the wrapper);
    // the wrapped statement is guarded again so the wrapper itself cannot be subverted.
    const wrapped = `SELECT * FROM (\n${sql}\n) AS consume_result LIMIT ${query.format === "parquet" ? query.limit : query.limit + 1}`;
    await sandbox.guard(wrapped);
    if (query.format === "parquet" && outputDir) {
      return await parquetStream(sandbox, wrapped, outputDir, started, cleanup);
    }
    const prepared = await sandbox.conn.prepare(wrapped); // binds: unknown columns fail here, as a 400
    const columns = Array.from({ length: prepared.columnCount }, (_, i) => ({
      name: prepared.columnName(i),
      type: String(prepared.columnType(i)),
      typeId: prepared.columnTypeId(i),
    }));
    prepared.destroySync();
    const result = await sandbox.conn.stream(serializedSql(wrapped, columns, query.format as "json" | "csv"));
    const first = await result.fetchChunk();
    return rowStream(
      result,
      first,
      columns.map(({ name, type }) => ({ name, type })),
      query,
      started,
      cleanup,
      () => timedOut,
      limits,
    );
  } catch (e) {
    const err = failure(e);
    await cleanup();
    throw err;
  }
}

async function parquetStream(
  sandbox: ConsumerSandbox,
  wrapped: string,
  outputDir: string,
  started: number,
  cleanup: () => Promise<void>,
): Promise<ConsumeStream> {
  const file = join(outputDir, "result.parquet");
  const prepared = await sandbox.conn.prepare(wrapped);
  const columns = Array.from({ length: prepared.columnCount }, (_, i) => ({
    name: prepared.columnName(i),
    type: String(prepared.columnType(i)),
  }));
  prepared.destroySync();
  const copied = await sandbox.conn.run(
    `COPY (${wrapped}) TO ${dialect.stringLiteral(file)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  const rows = Number(copied.rowsChanged);
  const size = (await stat(file)).size;
  sandbox.close();
  let settle: (o: ConsumeOutcome) => void = () => {};
  const done = new Promise<ConsumeOutcome>((r) => {
    settle = r;
  });
  const node = createReadStream(file, { highWaterMark: 256 * 1024 });
  let bytes = 0;
  node.on("data", (b) => {
    bytes += b.length;
  });
  const finish = (error?: string) => {
    void cleanup().then(() =>
      settle({
        rows,
        bytes: error ? bytes : size,
        durationMs: performance.now() - started,
        truncated: false,
        ...(error ? { error } : {}),
      }),
    );
  };
  node.on("end", () => finish());
  node.on("error", (e) => finish(message(e)));
  node.on("close", () => finish(bytes < size ? "the client stopped reading" : undefined));
  return {
    contentType: contentTypes.parquet,
    columns,
    body: Readable.toWeb(node) as unknown as ReadableStream<Uint8Array>,
    done,
  };
}

const nestedTypes = new Set<DuckDBTypeId>([
  DuckDBTypeId.LIST,
  DuckDBTypeId.STRUCT,
  DuckDBTypeId.MAP,
  DuckDBTypeId.ARRAY,
  DuckDBTypeId.UNION,
]);

const plainTypes = new Set<DuckDBTypeId>([
  DuckDBTypeId.BOOLEAN,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.DATE,
  DuckDBTypeId.TIME,
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.UUID,
]);

/**
 * The query that turns each result row into one line of text inside DuckDB (vectorised, far
 * faster than converting values in JavaScript): a JSON object per row, or a CSV record quoted per
 * RFC 4180. Columns are renamed positionally so duplicate names cannot collide.
 */
function serializedSql(
  wrapped: string,
  columns: { name: string; typeId: DuckDBTypeId }[],
  format: "json" | "csv",
): string {
  const alias = (i: number) => dialect.quoteIdentifier(`c${i}`);
  const aliases = columns.map((_, i) => alias(i)).join(", ");
  if (columns.length === 0) return `SELECT '' AS line FROM (${wrapped}) AS r`;
  if (format === "json") {
    const fields = columns.map((c, i) => `${dialect.quoteIdentifier(c.name)} := ${alias(i)}`).join(", ");
    return `SELECT to_json(struct_pack(${fields}))::VARCHAR AS line FROM (${wrapped}) AS r(${aliases})`;
  }
  const cells = columns.map((c, i) => {
    const text = nestedTypes.has(c.typeId) ? `to_json(${alias(i)})::VARCHAR` : `CAST(${alias(i)} AS VARCHAR)`;
    // Numbers, dates and booleans never hold a comma, quote or line break: no quoting test needed.
    if (plainTypes.has(c.typeId)) return `COALESCE(${text}, '')`;
    const needsQuotes = `(contains(${text}, '"') OR contains(${text}, ',') OR contains(${text}, chr(10)) OR contains(${text}, chr(13)))`;
    return `CASE WHEN ${alias(i)} IS NULL THEN '' WHEN ${needsQuotes} THEN '"' || replace(${text}, '"', '""') || '"' ELSE ${text} END`;
  });
  return `SELECT concat_ws(',', ${cells.join(", ")}) AS line FROM (${wrapped}) AS r(${aliases})`;
}

function rowStream(
  result: DuckDBResult,
  first: Awaited<ReturnType<DuckDBResult["fetchChunk"]>>,
  columns: { name: string; type: string }[],
  query: ConsumeQuery,
  started: number,
  cleanup: () => Promise<void>,
  timedOut: () => boolean,
  limits: ConsumeLimits,
): ConsumeStream {
  const names = columns.map((c) => c.name);
  const encoder = new TextEncoder();
  const json = query.format === "json";
  let rows = 0;
  let bytes = 0;
  let truncated = false;
  let pending: typeof first = first;
  let finished = false;
  let settle: (o: ConsumeOutcome) => void = () => {};
  const done = new Promise<ConsumeOutcome>((r) => {
    settle = r;
  });
  const finish = async (error?: string) => {
    if (finished) return;
    finished = true;
    await cleanup();
    settle({ rows, bytes, durationMs: performance.now() - started, truncated, ...(error ? { error } : {}) });
  };
  const emit = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    const b = encoder.encode(text);
    bytes += b.length;
    controller.enqueue(b);
  };
  const end = (controller: ReadableStreamDefaultController<Uint8Array>, error?: string) => {
    if (json) {
      emit(
        controller,
        `${rows > 0 ? "\n" : ""}],"rowCount":${rows},"truncated":${truncated || error !== undefined}${error ? `,"error":${JSON.stringify(error)}` : ""}}\n`,
      );
    }
    controller.close();
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        emit(
          controller,
          json ? `{"columns":${JSON.stringify(columns)},"rows":[` : `${names.map(csvField).join(",")}\r\n`,
        );
      },
      async pull(controller) {
        try {
          const chunk = pending ?? (await result.fetchChunk());
          pending = null;
          if (!chunk || chunk.rowCount === 0) {
            end(controller);
            await finish();
            return;
          }
          let lines = chunk.getColumnValues(0) as string[];
          if (rows + lines.length > query.limit) {
            lines = lines.slice(0, query.limit - rows);
            truncated = true;
          }
          if (lines.length > 0) {
            emit(controller, json ? `${rows > 0 ? ",\n" : "\n"}${lines.join(",\n")}` : `${lines.join("\r\n")}\r\n`);
          }
          rows += lines.length;
          if (truncated) {
            end(controller);
            await finish();
          }
        } catch (e) {
          const reason = timedOut()
            ? `the query ran longer than the time limit of ${limits.timeoutMs} ms and was stopped`
            : message(e);
          if (json) end(controller, reason);
          else controller.error(new Error(reason));
          await finish(reason);
        }
      },
      async cancel() {
        await finish("the client stopped reading");
      },
    },
    { highWaterMark: 1 },
  );
  return { contentType: contentTypes[query.format as "json" | "csv"], columns, body, done };
}
