import type { Dialect } from "../dialect/dialect.js";
import type { DatasetSource } from "../engines/read.js";
import type { SqlValue } from "./check.js";

/** A result row: column name → scalar (engines convert big ints/decimals/dates to number/string). */
export type Row = Record<string, SqlValue>;

/** One column as the engine sees it. `type` is the engine's own spelling (e.g. `BIGINT`, `character varying`). */
export interface ColumnInfo {
  name: string;
  type: string;
  nullable?: boolean;
}

/**
 * What an engine keeps about a column without scanning it: PostgreSQL's planner statistics
 * (approximate, as fresh as the last ANALYZE), a Parquet file's footer (exact, the file's own).
 */
export interface ColumnStatistics {
  /** Approximate: distinct non-null values; a negative number is minus their share of the rows (PostgreSQL's `n_distinct`). */
  distinct?: number | null;
  /** Approximate: the most common values with their share of all rows, most frequent first. */
  top?: readonly { value: string; share: number }[] | null;
  /**
   * Exact, from the data's own metadata (Parquet footers): null values, and the smallest and
   * largest value. Given, the scan does not compute them; the engine gives them only when every
   * part of the data states them exactly.
   */
  nulls?: number;
  range?: { min: SqlValue; max: SqlValue };
}

/** The answer of the read-only guard: `ok`, or refused with the reason shown in the check result. */
export type GuardVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Limits of one statement. The engine stops the statement once `timeoutMs` has passed or `signal`
 * aborts (DuckDB interrupts it, PostgreSQL cancels it on the server) and rejects with an
 * `EngineError`; the connection stays usable for the next statement.
 */
export interface StatementOptions {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** What an engine can do; shared code asks these instead of branching on the engine's name. */
export interface ConnectionCapabilities {
  /** `introspect` reports real column types, so `propertyType` checks can run. */
  introspection: boolean;
  /** The engine enforces read-only access itself (sandbox/read-only transaction), beyond the guard. */
  readOnlySandbox: boolean;
  /**
   * How many statements the connection runs side by side (separate server sessions); the runner
   * sends independent scans at once up to this. Absent: one at a time.
   */
  concurrentStatements?: number;
}

export const defaultConnectionCapabilities: ConnectionCapabilities = {
  introspection: true,
  readOnlySandbox: false,
};

/**
 * A live link to the engine where a contract's data lives. Pure types: engines (engine-duckdb,
 * engine-postgres) implement it; core's planner and runner only talk through it.
 * Failures reject with `EngineError { sql }`.
 */
export interface Connection {
  readonly dialect: Dialect;
  readonly capabilities: ConnectionCapabilities;
  /** Runs one statement and returns its rows. */
  run(sql: string, options?: StatementOptions): Promise<Row[]>;
  /** The FROM-clause SQL naming a contract schema object (a quoted table/view name). */
  relation(object: string): string;
  /** The columns of a contract object, or `undefined` when the object does not exist. */
  introspect(object: string, options?: StatementOptions): Promise<ColumnInfo[] | undefined>;
  /**
   * Parses SQL written in a contract with the engine's own parser and refuses anything but exactly
   * one side-effect-free SELECT reading only the contract's objects.
   */
  guard(sql: string, options?: StatementOptions): Promise<GuardVerdict>;
  /**
   * Optional: per column name, the statistics the engine already keeps for an object (no scan of
   * the data). Profiles take exact ones instead of computing them in the scan, and approximate
   * ones for figures the scan does not compute (distinct counts). Absent, or an empty map, when
   * the engine keeps none.
   */
  columnStatistics?(object: string, options?: StatementOptions): Promise<ReadonlyMap<string, ColumnStatistics>>;
  close(): Promise<void>;
}

/** Opens connections for a server of the contract; engines register one per server `type`. */
export type ConnectionFactory = (options: ConnectionOptions) => Promise<Connection>;

/** What a connection needs to know about the contract it serves. */
export interface ConnectionOptions {
  /** The ODCS server entry (plain data). */
  server: Record<string, unknown>;
  /** Schema objects of the contract: `name` and optional `physicalName`. */
  objects: readonly { name: string; physicalName?: string }[];
  /** Folder of the contract file; relative paths in the server resolve against it. */
  baseDir: string;
  /**
   * Where credentials and engine settings are looked up: the platform's secrets of the server's
   * environment over the process's environment. Absent: the process's environment.
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * Where each object's rows are, already located and checked by the caller (the platform's read
   * path: allowed roots, a port's current version on Quanta's storage). Objects named here are read
   * from these sources instead of the server's `path`.
   */
  sources?: Readonly<Record<string, DatasetSource>> | undefined;
}
