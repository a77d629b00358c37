import { isAbsolute, resolve } from "node:path";
import {
  type ColumnInfo,
  type ColumnStatistics,
  type Connection,
  type ConnectionCapabilities,
  type ConnectionOptions,
  DuckDbDialect,
  EngineError,
  type GuardVerdict,
  InputError,
  type Row,
  type SqlValue,
  type StatementOptions,
} from "@quanta/core";
import { nonEmpty as str } from "@quanta/core/read";
import { type DuckDBConnection, DuckDBInstance } from "./duckdb-api.js";
import { judgeParseTree } from "./duckdb-guard.js";
import { instanceOptions, loadRemoteExtensions, lockDown, rootsOf } from "./lock-down.js";
import { filesLiteral, formatOf, readableRoot, readerSql, remoteExtension } from "./sources.js";

const dialect = new DuckDbDialect();

function toSqlValue(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

/**
 * A contract's data in embedded DuckDB, read where it lies: files through views over
 * read_parquet/read_csv/read_json (never copied), or a DuckDB database file opened read-only.
 * After setup the instance is sandboxed: no file access beyond the contract's own paths, no
 * ATTACH/INSTALL, configuration locked.
 */
export class DuckDbConnection implements Connection {
  readonly dialect = dialect;
  readonly capabilities: ConnectionCapabilities = { introspection: true, readOnlySandbox: true };
  /** Objects read from Parquet files → the files' reader argument, for their footers' statistics. */
  private readonly parquetFiles = new Map<string, string>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    /** Contract object → SQL relation, for file sources (views) and database tables. */
    private readonly relations: Map<string, string>,
    /** Objects whose source could not be opened, with the reason (reported on their checks). */
    private readonly broken: Map<string, EngineError>,
    /** Base tables contract SQL may read (file mode); `undefined` = whatever the read-only database holds. */
    private readonly readable: ReadonlySet<string> | undefined,
    private readonly schema: string | undefined,
  ) {}

  /** Opens a `local` (files) or `duckdb` (database file) server of a contract. */
  static async open(options: ConnectionOptions): Promise<DuckDbConnection> {
    const server = options.server;
    const type = String(server.type ?? "");
    const at = (p: string) => (isAbsolute(p) || remoteExtension(p) !== undefined ? p : resolve(options.baseDir, p));
    if (type === "duckdb") {
      const database = str(server.database) ?? str(server.path);
      if (database === undefined) throw new InputError("duckdb server has no database (path to a .duckdb file)");
      let instance: DuckDBInstance;
      try {
        instance = await DuckDBInstance.create(at(database), { ...instanceOptions, access_mode: "READ_ONLY" });
      } catch (e) {
        throw new InputError(`cannot open DuckDB database ${at(database)}: ${message(e)}`);
      }
      const conn = await instance.connect();
      const schema = str(server.schema);
      const relations = new Map(
        options.objects.map((o) => {
          const table = o.physicalName ?? o.name;
          return [
            o.name,
            schema
              ? `${dialect.quoteIdentifier(schema)}.${dialect.quoteIdentifier(table)}`
              : dialect.quoteIdentifier(table),
          ];
        }),
      );
      const c = new DuckDbConnection(instance, conn, relations, new Map(), undefined, schema);
      await lockDown(conn);
      return c;
    }
    const path = str(server.path) ?? str(server.location);
    const sources = options.sources ?? {};
    if (path === undefined && options.objects.some((o) => sources[o.name] === undefined))
      throw new InputError(`${type || "local"} server has no path`);
    // Each object's files: as the caller located them, else the server's path (DCS convention: one
    // path for many objects, `{model}` standing for the object's name).
    const located = options.objects.map((object) => {
      const given = sources[object.name];
      if (given !== undefined) {
        if (given.kind !== "files") throw new InputError(`DuckDB reads files, not the table of "${object.name}"`);
        return { object, files: given.files, format: formatOf(given.files[0] ?? "", given.format) };
      }
      const table = object.physicalName ?? object.name;
      const file = at((path as string).replaceAll("{model}", table).replaceAll("{object}", table));
      return { object, files: [file], format: formatOf(file, str(server.format)) };
    });
    const instance = await DuckDBInstance.create(":memory:", { ...instanceOptions });
    const conn = await instance.connect();
    await loadRemoteExtensions(
      conn,
      located.flatMap((l) => l.files),
      options.env,
    ).catch((e: unknown) => {
      conn.closeSync();
      instance.closeSync();
      throw e;
    });
    const relations = new Map<string, string>();
    const broken = new Map<string, EngineError>();
    const roots: ReturnType<typeof readableRoot>[] = [];
    const c = new DuckDbConnection(instance, conn, relations, broken, new Set(), undefined);
    for (const { object, files, format } of located) {
      const view = dialect.quoteIdentifier(object.name);
      // Checks name an object by its physical name, consumers by its name: both reach the one view.
      const names = [...new Set([object.name, object.physicalName ?? object.name])];
      for (const name of names) {
        relations.set(name, view);
        (c.readable as Set<string>).add(name.toLowerCase());
      }
      roots.push(...files.map(readableRoot));
      const sql = `CREATE TEMP VIEW ${view} AS SELECT * FROM ${readerSql(format, filesLiteral(files))}`;
      if (format === "parquet") for (const name of names) c.parquetFiles.set(name, filesLiteral(files));
      try {
        await conn.run(sql);
      } catch (e) {
        for (const name of names) broken.set(name, new EngineError(message(e), { sql, cause: e }));
      }
    }
    await lockDown(conn, rootsOf(roots));
    return c;
  }

  relation(object: string): string {
    return this.relations.get(object) ?? dialect.quoteIdentifier(object);
  }

  /**
   * DuckDB has no statement timeout: a timer (or the signal) interrupts the connection, which
   * stops the statement within milliseconds and leaves the connection usable. Closing instead
   * would not stop it, and a process cannot exit while a statement still runs.
   */
  async run(sql: string, options: StatementOptions = {}): Promise<Row[]> {
    const { timeoutMs, signal } = options;
    if (signal?.aborted) throw new EngineError("stopped before it started", { sql });
    let stopped: string | undefined;
    const interrupt = (why: string) => {
      stopped ??= why;
      this.conn.interrupt();
    };
    const onAbort = () => interrupt("stopped before it finished");
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => interrupt(`timed out after ${seconds(timeoutMs)}`), timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const reader = await this.conn.runAndReadAll(sql);
      const rows = reader.getRowObjectsJS();
      return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toSqlValue(v)])));
    } catch (e) {
      throw new EngineError(stopped ?? message(e), { sql, cause: e });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  async introspect(object: string, options: StatementOptions = {}): Promise<ColumnInfo[] | undefined> {
    const broken = this.broken.get(object);
    if (broken !== undefined) throw broken;
    if (this.readable === undefined) {
      // Database file: ask the catalog, so a missing table is "not found", not an error.
      const table = this.relations.get(object) === undefined ? object : object;
      const rows = await this.run(
        `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ${dialect.stringLiteral(this.physicalOf(table))}${
          this.schema ? ` AND table_schema = ${dialect.stringLiteral(this.schema)}` : ""
        }`,
        options,
      );
      if (Number(rows[0]?.n ?? 0) === 0) return undefined;
    } else if (!this.relations.has(object)) return undefined;
    const rows = await this.run(`DESCRIBE ${this.relation(object)}`, options);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type), nullable: r.null !== "NO" }));
  }

  /**
   * Exact null counts and min/max per column from the Parquet files' footers (`parquet_metadata`:
   * no data page is read), for a profile to take instead of computing them in the scan. A column
   * gets them only when every row group of every file states them, exactly (`min_is_exact`), and
   * its row groups add up to the dataset's rows; otherwise the scan computes them. Other sources
   * (CSV, JSON, a database file) keep no such statistics: an empty map.
   */
  async columnStatistics(
    object: string,
    options: StatementOptions = {},
  ): Promise<ReadonlyMap<string, ColumnStatistics>> {
    const out = new Map<string, ColumnStatistics>();
    const files = this.parquetFiles.get(object);
    if (files === undefined) return out;
    const columns = (await this.introspect(object, options)) ?? [];
    const ranged = (type: string) => {
      const shape = dialect.profileShape(type);
      return shape === "numeric" || shape === "ordered";
    };
    const items = columns.flatMap((c, i) => {
      const mine = `p = ${dialect.stringLiteral(c.name)}`;
      const of = `FILTER (WHERE ${mine})`;
      const parts = [
        `sum(n) ${of} AS n${i}`,
        `sum(nulls) ${of} AS z${i}`,
        `bool_and(nulls IS NOT NULL) ${of} AS zk${i}`,
      ];
      if (ranged(c.type))
        parts.push(
          // In a CASE, so only this column's statistics are cast to its type (a FILTER would cast every row).
          `min(CAST(CASE WHEN ${mine} THEN lo END AS ${c.type})) AS lo${i}`,
          `max(CAST(CASE WHEN ${mine} THEN hi END AS ${c.type})) AS hi${i}`,
          `bool_and(nulls = n OR (exact AND lo IS NOT NULL AND hi IS NOT NULL)) ${of} AS rk${i}`,
        );
      return parts;
    });
    if (items.length === 0) return out;
    const sql = `WITH m AS MATERIALIZED (
  SELECT path_in_schema AS p, row_group_num_rows AS n, stats_null_count AS nulls,
         stats_min_value AS lo, stats_max_value AS hi, coalesce(min_is_exact AND max_is_exact, FALSE) AS exact
  FROM parquet_metadata(${files})
)
SELECT (SELECT sum(num_rows) FROM parquet_file_metadata(${files})) AS total,
  ${items.join(",\n  ")}
FROM m`;
    const [row] = await this.run(sql, options);
    if (row === undefined) return out;
    const total = Number(row.total ?? 0);
    columns.forEach((c, i) => {
      // Every row of the dataset is in a row group that states this column (no nested field, no file without it).
      if (total === 0 || Number(row[`n${i}`] ?? -1) !== total) return;
      const stats: ColumnStatistics = {};
      if (row[`zk${i}`] === true) stats.nulls = Number(row[`z${i}`]);
      if (row[`rk${i}`] === true) stats.range = { min: row[`lo${i}`] ?? null, max: row[`hi${i}`] ?? null };
      if (stats.nulls !== undefined || stats.range !== undefined) out.set(c.name, stats);
    });
    return out;
  }

  private physicalOf(object: string): string {
    const rel = this.relations.get(object);
    if (rel === undefined) return object;
    // The last quoted part of `"schema"."table"` is the table.
    const m = /"((?:[^"]|"")*)"$/.exec(rel);
    return m?.[1]?.replaceAll('""', '"') ?? object;
  }

  async guard(sql: string, options: StatementOptions = {}): Promise<GuardVerdict> {
    const rows = await this.run(`SELECT json_serialize_sql(${dialect.stringLiteral(sql)}) AS tree`, options);
    return judgeParseTree(String(rows[0]?.tree ?? ""), this.readable);
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** The engine's entry point: one connection per contract server. */
export const openDuckDb = (options: ConnectionOptions): Promise<Connection> => DuckDbConnection.open(options);
