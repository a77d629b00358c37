import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { EngineError, InputError, QuantaError, UnprocessableError } from "@quanta/core";
import {
  type ConsumeFormat,
  type ConsumeLimits,
  type ConsumeQuery,
  type ConsumeStream,
  consumeContentTypes,
  type ReadDataset,
} from "@quanta/core/engines";
import type pg from "pg";
import { connectError } from "../connect-error.js";
import { judgeConsumerPlan, judgeConsumerText } from "../consumer-guard.js";
import { maskedSelect } from "../masked-select.js";
import type { PostgresConfig } from "../postgres-config.js";
import { cancelBackend } from "../postgres-connection.js";
import { ArrowWriter, readsBinary } from "./arrow-output.js";
import { consumerSql, judgedStatement, quote, realStatement, type ServedDataset } from "./consume-sql.js";
import { BinaryCopyOut } from "./copy-out.js";
import { fileStream } from "./file-stream.js";
import { isNested, type ResultColumn, type ResultWriter, type Written } from "./result-column.js";
import { CsvWriter, JsonWriter } from "./text-output.js";

/** What this engine writes itself; Parquet is left to the platform (it may convert Arrow). */
export const servedFormats: readonly ConsumeFormat[] = ["json", "csv", "arrow"];

/** SQLSTATE of a statement cancelled by statement_timeout or pg_cancel_backend. */
const queryCanceled = "57014";

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

/** A server error with what PostgreSQL adds (detail, hint). */
function serverMessage(e: unknown): string {
  const err = e as { detail?: string; hint?: string };
  const extra = [err.detail, err.hint ? `hint: ${err.hint}` : undefined].filter(Boolean).join("; ");
  return extra ? `${firstLine(e)} (${extra})` : firstLine(e);
}

const typesSql = `SELECT format_type(u.t, u.m) AS name, t.typcategory AS category, t.typtype AS kind
FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS u(t, m, i)
LEFT JOIN pg_catalog.pg_type t ON t.oid = u.t
ORDER BY u.i`;

/** The query's own fault, before any row: checked before a connection is taken. */
export function checkQuery(datasets: readonly ReadDataset[], query: ConsumeQuery, limits: ConsumeLimits): string {
  if (query.limit > limits.maxRows) {
    throw new InputError(`limit ${query.limit} is above this server's maximum ${limits.maxRows}`, {
      code: "limit-too-large",
    });
  }
  if (!servedFormats.includes(query.format)) {
    throw new InputError(
      `the PostgreSQL engine serves ${servedFormats.join(", ")}, not ${query.format}; ask for one of those`,
      { code: "format-not-served", details: { formats: [...servedFormats] } },
    );
  }
  const sql = consumerSql(
    datasets.map((d) => d.name),
    query.sql,
  );
  if (sql.length > limits.maxSqlLength) {
    throw new InputError(`the SQL has ${sql.length} characters; at most ${limits.maxSqlLength}`, {
      code: "sql-too-long",
    });
  }
  const verdict = judgeConsumerText(sql);
  if (!verdict.ok) throw refused(verdict.reason, datasets);
  return sql;
}

function refused(reason: string, datasets: readonly ReadDataset[]): InputError {
  return new InputError(
    `${reason}; a consume query is one SELECT over the port's datasets (${datasets.map((d) => d.name).join(", ")})`,
    { code: "sql-refused" },
  );
}

/**
 * One consumer's read on a pooled connection: each dataset a CTE serving its table masked and
 * filtered (masked-select.ts), the consumer's SQL guarded to read only those (its text, then the
 * server's plan of it), all in a READ ONLY transaction bounded by the time limit. The rows come as
 * a binary COPY into a result file, which is then streamed: everything that can go wrong
 * (guard, binding, the time limit, the server) happens before the first byte and throws a
 * QuantaError, so the client gets a 4xx instead of a broken 200.
 */
export async function consumeQuery(
  pool: pg.Pool,
  config: PostgresConfig,
  datasets: readonly ReadDataset[],
  query: ConsumeQuery,
  limits: ConsumeLimits,
  tempDir: string,
): Promise<ConsumeStream> {
  const sql = checkQuery(datasets, query, limits);
  const format = query.format as "json" | "csv" | "arrow";
  const started = performance.now();
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    throw connectError(e, config);
  }
  const file = join(tempDir, `${randomUUID()}.${format}`);
  let timedOut = false;
  // Awaited before the connection goes back to the pool, so it cannot stop the next query on it.
  let cancelling: Promise<void> | undefined;
  const pid = (client as unknown as { processID?: number }).processID;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) cancelling = cancelBackend(config, pid);
  }, limits.timeoutMs);
  const timeLimit = () =>
    new InputError(`the query ran longer than the time limit of ${limits.timeoutMs} ms and was stopped`, {
      code: "query-timeout",
    });
  let healthy = true;
  try {
    const ms = Math.max(1, Math.ceil(limits.timeoutMs));
    await client.query(
      `BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${ms}; SET LOCAL lock_timeout = ${ms}`,
    );
    const served: ServedDataset[] = [];
    for (const d of datasets) {
      const select = await maskedSelect(client, d, config.schema).catch((e: unknown) => {
        if (e instanceof QuantaError && !(e instanceof EngineError)) throw e;
        throw new UnprocessableError(`dataset "${d.name}" cannot be read: ${firstLine(e)}`, {
          code: "dataset-unreadable",
          cause: e,
        });
      });
      served.push({ name: d.name, select: select.sql, filtered: d.rowFilters.length > 0 });
    }
    await judge(client, served, sql, query.limit, datasets);
    // JSON and CSV read one row past the limit to tell a complete result from a truncated one.
    const limit = format === "arrow" ? query.limit : query.limit + 1;
    const columns = await describe(client, realStatement(served, sql, 0));
    const statement = realStatement(served, sql, limit, outerSelect(format, columns));
    const { rows, truncated } = await copyInto(client, statement, format, columns, query.limit, file);
    clearTimeout(timer);
    await cancelling;
    await client.query("ROLLBACK");
    client.release();
    const described = columns.map(({ name, type }) => ({ name, type }));
    const base = { file, contentType: consumeContentTypes[format], columns: described, rows, truncated, started };
    return fileStream(
      format === "json"
        ? {
            ...base,
            prefix: `{"columns":${JSON.stringify(described)},"rows":`,
            suffix: `,"rowCount":${rows},"truncated":${truncated}}\n`,
          }
        : base,
    );
  } catch (e) {
    clearTimeout(timer);
    await cancelling;
    await client.query("ROLLBACK").catch(() => {
      healthy = false;
    });
    client.release(healthy ? undefined : true);
    await rm(file, { force: true }).catch(() => {});
    const err = e as { code?: string; syscall?: unknown };
    // A file the server could not write (a full disk) is the server's failure, not the query's.
    if (typeof err?.syscall === "string") throw e;
    if (timedOut || err?.code === queryCanceled) throw timeLimit();
    if (e instanceof QuantaError) throw e;
    if (isConnectionFailure(e)) throw connectError(e, config);
    throw new InputError(`the query failed: ${serverMessage(e)}`, { code: "query-failed", cause: e });
  }
}

/** A lost connection (the server stopped, the network dropped): not the query's fault. */
function isConnectionFailure(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return (
    (typeof code === "string" && (/^E[A-Z]+$/.test(code) || code.startsWith("08") || code.startsWith("57P"))) ||
    /Connection terminated/i.test(firstLine(e))
  );
}

/**
 * Plans the consumer's SQL over MATERIALIZED stand-ins of the datasets (see judgedStatement) and
 * refuses any plan that writes, locks, reads the catalog or a table beyond the datasets. A plan
 * that does not compile is the consumer's fault unless one of the datasets itself does not (a
 * row filter that is not boolean, a table the server's role may not read).
 */
async function judge(
  client: pg.PoolClient,
  served: readonly ServedDataset[],
  sql: string,
  limit: number,
  datasets: readonly ReadDataset[],
): Promise<void> {
  const judged = judgedStatement(served, sql, limit);
  await client.query("SAVEPOINT quanta_judge");
  let plan: unknown;
  try {
    const explain = `EXPLAIN (VERBOSE, FORMAT JSON) ${judged.sql}`;
    const result = await client.query({ text: explain, queryMode: "extended" } as never);
    plan = (result as unknown as pg.QueryResult).rows[0]?.["QUERY PLAN"];
  } catch (e) {
    if ((e as { code?: string }).code === queryCanceled || isConnectionFailure(e)) throw e;
    await client.query("ROLLBACK TO SAVEPOINT quanta_judge");
    for (const d of served) {
      try {
        await client.query("SAVEPOINT quanta_dataset");
        await client.query({ text: `EXPLAIN ${d.select}`, queryMode: "extended" } as never);
        await client.query("RELEASE SAVEPOINT quanta_dataset");
      } catch (inner) {
        throw new UnprocessableError(`dataset "${d.name}" cannot be read: ${serverMessage(inner)}`, {
          code: "dataset-unreadable",
          cause: inner,
        });
      }
    }
    throw e;
  }
  await client.query("RELEASE SAVEPOINT quanta_judge");
  const verdict = judgeConsumerPlan(typeof plan === "string" ? JSON.parse(plan) : plan, judged.datasetPlans);
  if (!verdict.ok) throw refused(verdict.reason, datasets);
}

/** The result's columns: names and types from a run of the statement that returns no row. */
async function describe(client: pg.PoolClient, statement: string): Promise<ResultColumn[]> {
  const probe = (await client.query({
    text: statement,
    queryMode: "extended",
    rowMode: "array",
  } as never)) as unknown as pg.QueryResult;
  const fields = probe.fields;
  const types = await client.query<{ name: string | null; category: string | null; kind: string | null }>(typesSql, [
    fields.map((f) => f.dataTypeID),
    fields.map((f) => f.dataTypeModifier),
  ]);
  return fields.map((f, i) => {
    const t = types.rows[i];
    return {
      name: f.name,
      type: t?.name ?? String(f.dataTypeID),
      oid: f.dataTypeID,
      typmod: f.dataTypeModifier,
      category: t?.category ?? "",
      kind: t?.kind ?? "",
    };
  });
}

/**
 * What the COPY selects over the limited result: JSON rows as the server writes them
 * (`row_to_json`: numbers, booleans, nested values as JSON); CSV cells by position (so duplicate
 * column names cannot collide) as text, booleans `true`/`false`, arrays and records as JSON; Arrow
 * cells by position, in binary where the writer reads the type (arrow-output.ts), else as text.
 */
function outerSelect(format: "json" | "csv" | "arrow", columns: readonly ResultColumn[]): (rows: string) => string {
  if (format === "json") return (rows) => `SELECT row_to_json(consume_result)::text FROM ${rows} AS consume_result`;
  const alias = columns.map((_, i) => quote(`c${i}`));
  const cells = columns.map((c, i) => {
    const a = alias[i]!;
    if (isNested(c)) return `to_json(${a})::text`;
    if (format === "arrow" && readsBinary(c)) return a;
    if (c.oid === 16) return `CASE WHEN ${a} THEN 'true' WHEN NOT ${a} THEN 'false' END`;
    return `${a}::text`;
  });
  return (rows) =>
    `SELECT ${cells.join(", ")} FROM ${rows} AS consume_result${alias.length > 0 ? `(${alias.join(", ")})` : ""}`;
}

/**
 * Runs `statement` as a binary COPY into the result file, in the writer of `format`; the server's
 * rows wait in the socket while the disk is behind. One statement from start to last row, so
 * statement_timeout bounds all of it.
 */
async function copyInto(
  client: pg.PoolClient,
  statement: string,
  format: "json" | "csv" | "arrow",
  columns: readonly ResultColumn[],
  limit: number,
  file: string,
): Promise<Written> {
  let copy: BinaryCopyOut | undefined;
  const flow = { pause: () => copy?.pause(), resume: () => copy?.resume() };
  const writer: ResultWriter =
    format === "arrow"
      ? new ArrowWriter(file, flow, columns)
      : format === "csv"
        ? new CsvWriter(file, flow, limit, columns)
        : new JsonWriter(file, flow, limit);
  copy = new BinaryCopyOut(
    `COPY (${statement}) TO STDOUT (FORMAT binary)`,
    format === "json" ? 1 : columns.length,
    (b, starts, lengths) => writer.add(b, starts, lengths),
  );
  try {
    client.query(copy as never);
    await copy.done;
  } catch (e) {
    return writer.end(e);
  }
  return writer.end();
}
