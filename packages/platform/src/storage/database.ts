/**
 * The one small interface every storage driver implements (Drizzle-style: SQL lives in the
 * repositories and migrations, drivers only move it to a PostgreSQL-dialect engine).
 *
 * Values come back normalised the same way on every driver: `bigint` columns as numbers,
 * `timestamptz` as ISO-8601 strings, `jsonb` as plain data.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type DriverName = "pglite" | "postgres";

export interface Database extends Queryable {
  readonly driver: DriverName;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Whether the store answers at all (health checks): a statement that touches no table. */
export function ping(q: Queryable): Promise<boolean> {
  return q.query("SELECT 1").then(
    () => true,
    () => false,
  );
}

/** A PostgreSQL error code (SQLSTATE) when `e` came from the database, on either driver. */
export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export const sqlStates = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  serializationFailure: "40001",
  deadlock: "40P01",
  /** Raised by Quanta's own triggers guarding immutable rows (published versions, events). */
  immutable: "QI001",
} as const;
