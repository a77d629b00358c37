import {
  type ColumnInfo,
  type ColumnStatistics,
  type Connection,
  type ConnectionCapabilities,
  type ConnectionOptions,
  EngineError,
  type GuardVerdict,
  PostgresDialect,
  type Row,
  type SqlValue,
  type StatementOptions,
} from "@quanta/core";
import pg from "pg";
import { connectError } from "./connect-error.js";
import { clientTarget, type PostgresConfig, resolvePostgresConfig } from "./postgres-config.js";
import { judgePlan, judgeSqlText } from "./postgres-guard.js";

const dialect = new PostgresDialect();

/** Type OIDs the driver would otherwise hand over as text or `Date`. */
const oid = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;

const bigToValue = (text: string): SqlValue => {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
};
/** Numbers when exact enough for a JavaScript number, otherwise the exact text. */
const numericToValue = (text: string): SqlValue => {
  const n = Number(text);
  return Number.isFinite(n) && text.replace(/[-.]/g, "").replace(/^0+/, "").length <= 15 ? n : text;
};

/** Parsers per connection (not the driver's global table, which other code in the process shares). */
const parsers: Record<number, (text: string) => SqlValue> = {
  [oid.int8]: bigToValue,
  [oid.numeric]: numericToValue,
  // Dates and timestamps stay the server's text: no time-zone shift through JavaScript's Date.
  [oid.date]: (t) => t,
  [oid.timestamp]: (t) => t,
  [oid.timestamptz]: (t) => t,
};
const types = {
  getTypeParser: ((id: number, format?: string) =>
    parsers[id] ?? pg.types.getTypeParser(id, format as "text")) as typeof pg.types.getTypeParser,
};

const toSqlValue = (v: unknown): SqlValue => {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return `\\x${v.toString("hex")}`;
  return JSON.stringify(v);
};

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;
/** SQLSTATE of a statement cancelled by statement_timeout or pg_cancel_backend. */
const queryCanceled = "57014";

/** A server error with what PostgreSQL adds (detail, hint, position), the SQL attached. */
function queryError(e: unknown, sql: string): EngineError {
  const err = e as { detail?: string; hint?: string };
  const extra = [err.detail, err.hint ? `hint: ${err.hint}` : undefined].filter(Boolean).join("; ");
  return new EngineError(extra ? `${message(e)} (${extra})` : message(e), { sql, cause: e });
}

/** One server session of a connection and its backend process (whose statement an abort cancels). */
interface Session {
  client: pg.Client;
  pid: number;
}

/** Sessions a contract test uses at most: its batched scan and a SQL rule's run side by side. */
const defaultSessions = 2;

/**
 * Cancels a session's running statement from a short second session (any role may cancel its own).
 * Never throws: without it, the statement ends at its time limit.
 */
export async function cancelBackend(config: PostgresConfig, pid: number): Promise<void> {
  const other = new pg.Client({
    ...clientTarget(config),
    connectionTimeoutMillis: config.connectTimeoutMs,
    application_name: "quanta-cancel",
  });
  other.on("error", () => {});
  try {
    await other.connect();
    await other.query("SELECT pg_cancel_backend($1)", [pid]);
  } catch {
    // The statement then ends at its time limit.
  } finally {
    await other.end().catch(() => {});
  }
}

/** Opens one read-only session with the contract's schema on its search path. */
async function openSession(config: PostgresConfig): Promise<Session> {
  const client = new pg.Client({
    ...clientTarget(config),
    connectionTimeoutMillis: config.connectTimeoutMs,
    // Backstop when the server stops answering altogether (statement_timeout needs a live server).
    query_timeout: config.statementTimeoutMs + 10_000,
    application_name: "quanta",
    types,
  });
  // A dropped connection must surface as a failed query, not an unhandled 'error' event.
  client.on("error", () => {});
  try {
    await client.connect();
    // Literals are escaped for standard strings; the whole session is read-only by default.
    await client.query("SET standard_conforming_strings = on; SET default_transaction_read_only = on");
    // Bare table names in a contract's SQL mean the server's schema.
    const session = await client.query<{ pid: number }>(
      "SELECT set_config('search_path', $1, false), pg_backend_pid() AS pid",
      [dialect.quoteIdentifier(config.schema)],
    );
    return { client, pid: Number(session.rows[0]?.pid) };
  } catch (e) {
    await client.end().catch(() => {});
    throw connectError(e, config);
  }
}

/**
 * A contract's data in PostgreSQL, read where it lies. Every statement runs in its own
 * `READ ONLY` transaction with a statement timeout, rolled back afterwards; the session also
 * defaults to read-only, and SQL written in a contract passes the guard first.
 */
export class PostgresConnection implements Connection {
  readonly dialect = dialect;
  readonly capabilities: ConnectionCapabilities;
  /** Sessions not running a statement; `sessions` all of them (the first opened at connect). */
  private readonly idle: Session[];
  private readonly sessions: Session[];
  private readonly waiting: ((s: Session) => void)[] = [];
  private opening = 0;
  /** Statements running now. */
  private active = 0;

  private constructor(
    first: Session,
    readonly config: PostgresConfig,
    /** Contract object name (and physical name) → table or view name in `config.schema`. */
    private readonly tables: Map<string, string>,
    /** Statements run side by side, each in its own session (a second one opened on first need). */
    private readonly maxSessions = defaultSessions,
  ) {
    this.idle = [first];
    this.sessions = [first];
    this.capabilities = { introspection: true, readOnlySandbox: true, concurrentStatements: maxSessions };
  }

  /** Opens a contract's `postgres` server; credentials from `env` (see `resolvePostgresConfig`). */
  static async open(
    options: ConnectionOptions,
    env: Readonly<Record<string, string | undefined>> = options.env ?? process.env,
  ): Promise<PostgresConnection> {
    const config = resolvePostgresConfig(options.server, env);
    const tables = new Map<string, string>();
    for (const o of options.objects) {
      const table = o.physicalName ?? o.name;
      tables.set(o.name, table);
      tables.set(table, table);
    }
    return PostgresConnection.connect(config, tables);
  }

  static async connect(
    config: PostgresConfig,
    tables: Map<string, string> = new Map(),
    sessions = defaultSessions,
  ): Promise<PostgresConnection> {
    return new PostgresConnection(await openSession(config), config, tables, sessions);
  }

  /** A session for one statement: an idle one, a new one while fewer than the limit, else the next freed. */
  private async acquire(): Promise<Session> {
    const ready = this.idle.pop();
    if (ready) return ready;
    if (this.sessions.length + this.opening < this.maxSessions) {
      this.opening++;
      try {
        const session = await openSession(this.config);
        this.sessions.push(session);
        return session;
      } catch {
        // No second session (the server's connection limit): share the ones open.
      } finally {
        this.opening--;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(session: Session): void {
    const next = this.waiting.shift();
    if (next) next(session);
    else this.idle.push(session);
  }

  relation(object: string): string {
    return `${dialect.quoteIdentifier(this.config.schema)}.${dialect.quoteIdentifier(this.tables.get(object) ?? object)}`;
  }

  /** One statement in a READ ONLY transaction; the extended protocol refuses a second statement. */
  async run(sql: string, options: StatementOptions = {}): Promise<Row[]> {
    const result = await this.readOnly(
      sql,
      (client) => client.query({ text: sql, queryMode: "extended" } as never),
      options,
    );
    const rows = (result as unknown as pg.QueryResult).rows as Record<string, unknown>[];
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toSqlValue(v)])));
  }

  /**
   * The server enforces the time limit (the stricter of the statement's and the configured one);
   * an abort cancels the running statement on the server, from a second session.
   */
  private async readOnly<T>(
    sql: string,
    work: (client: pg.Client) => Promise<T>,
    options: StatementOptions = {},
  ): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) throw new EngineError("stopped before it started", { sql });
    const limitMs = Math.max(
      1,
      Math.min(options.timeoutMs ?? Number.POSITIVE_INFINITY, this.config.statementTimeoutMs),
    );
    const session = await this.acquire();
    this.active++;
    try {
      // A statement beside another one takes no parallel workers of its own: on a small server they
      // would take the cores the other scan runs on.
      return await this.inTransaction(session, sql, work, limitMs, signal, this.active > 1);
    } finally {
      this.active--;
      this.release(session);
    }
  }

  private async inTransaction<T>(
    session: Session,
    sql: string,
    work: (client: pg.Client) => Promise<T>,
    limitMs: number,
    signal: AbortSignal | undefined,
    beside: boolean,
  ): Promise<T> {
    const client = session.client;
    try {
      await client.query(
        `BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${Math.ceil(limitMs)}; SET LOCAL lock_timeout = ${this.config.statementTimeoutMs}${beside ? "; SET LOCAL max_parallel_workers_per_gather = 0" : ""}`,
      );
    } catch (e) {
      throw queryError(e, sql);
    }
    const onAbort = () => void cancelBackend(this.config, session.pid);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await work(client);
    } catch (e) {
      if ((e as { code?: string }).code === queryCanceled) {
        const why = signal?.aborted ? "stopped before it finished" : `timed out after ${seconds(limitMs)}`;
        throw new EngineError(why, { sql, cause: e });
      }
      throw queryError(e, sql);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await client.query("ROLLBACK").catch(() => {});
    }
  }

  async introspect(object: string, options: StatementOptions = {}): Promise<ColumnInfo[] | undefined> {
    const table = this.tables.get(object) ?? object;
    // The catalog, not information_schema: it also lists materialized views and foreign tables,
    // and a table this role may not read is found (its scan then says "permission denied").
    const sql = `SELECT r.oid IS NOT NULL AS found, a.attname AS name, a.attnotnull AS not_null,
       format_type(a.atttypid, a.atttypmod) AS type
FROM pg_catalog.pg_class r
JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = $1 AND r.relname = $2 AND r.relkind IN ('r', 'p', 'v', 'm', 'f')
ORDER BY a.attnum`;
    const result = await this.readOnly(sql, (client) => client.query(sql, [this.config.schema, table]), options);
    if (result.rows.length === 0) return undefined;
    return result.rows
      .filter((r) => r.name !== null)
      .map((r) => ({ name: String(r.name), type: String(r.type), nullable: r.not_null !== true }));
  }

  /**
   * The planner's statistics of a table (`pg_stats`, kept by ANALYZE and autovacuum): distinct
   * values and the most common values per column, for a profile's approximate figures. A catalog
   * read, no scan of the data; empty before the table was first analyzed.
   */
  async columnStatistics(
    object: string,
    options: StatementOptions = {},
  ): Promise<ReadonlyMap<string, ColumnStatistics>> {
    const table = this.tables.get(object) ?? object;
    const sql = `SELECT s.attname AS name, s.n_distinct AS n_distinct,
       array_to_json(CAST(CAST(s.most_common_vals AS text) AS text[])) AS top_values,
       array_to_json(s.most_common_freqs) AS top_shares
FROM pg_catalog.pg_stats s
WHERE s.schemaname = $1 AND s.tablename = $2 AND NOT s.inherited`;
    const result = await this.readOnly(sql, (client) => client.query(sql, [this.config.schema, table]), options);
    const out = new Map<string, ColumnStatistics>();
    for (const r of result.rows) {
      const values = Array.isArray(r.top_values) ? (r.top_values as unknown[]) : [];
      const shares = Array.isArray(r.top_shares) ? (r.top_shares as unknown[]) : [];
      out.set(String(r.name), {
        distinct: r.n_distinct === null ? null : Number(r.n_distinct),
        top: values.map((v, i) => ({ value: String(v), share: Number(shares[i] ?? 0) })),
      });
    }
    return out;
  }

  async guard(sql: string, options: StatementOptions = {}): Promise<GuardVerdict> {
    const text = judgeSqlText(sql);
    if (!text.ok) return text;
    const explain = `EXPLAIN (VERBOSE, FORMAT JSON) ${sql}`;
    let plan: unknown;
    try {
      const result = await this.readOnly(
        explain,
        (client) => client.query({ text: explain, queryMode: "extended" } as never),
        options,
      );
      plan = (result as unknown as pg.QueryResult).rows[0]?.["QUERY PLAN"];
    } catch (e) {
      // Stopped (time limit, abort) is not a verdict on the SQL.
      if ((e as { cause?: { code?: string } }).cause?.code === queryCanceled) throw e;
      return { ok: false, reason: `the SQL does not compile: ${message(e)}` };
    }
    return judgePlan(typeof plan === "string" ? JSON.parse(plan) : plan);
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.client.end().catch(() => {})));
  }
}

/** The engine's entry point: one connection per contract server. */
export const openPostgres = (options: ConnectionOptions): Promise<Connection> => PostgresConnection.open(options);
