import type { Pool, PoolClient } from "pg";
import type { Database, Queryable, QueryResult } from "../database.js";
import { parseInt8, parseTimestamp, parseTimestamptz, typeOids } from "../normalize.js";

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` (the `DATABASE_URL`). */
  url: string;
  /** Connections per replica; a few are enough, the server is the bottleneck. */
  maxConnections?: number;
}

const parsers: Record<number, (text: string) => unknown> = {
  [typeOids.int8]: parseInt8,
  [typeOids.timestamptz]: parseTimestamptz,
  [typeOids.timestamp]: parseTimestamp,
};

async function run<R>(
  db: Pick<Pool, "query"> | Pick<PoolClient, "query">,
  sql: string,
  params?: readonly unknown[],
): Promise<QueryResult<R>> {
  const res = await db.query(sql, params ? [...params] : undefined);
  return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
}

/** A real PostgreSQL server through a `pg` connection pool; safe to share by N replicas. */
export class PostgresDatabase implements Database {
  readonly driver = "postgres" as const;
  private constructor(private readonly pool: Pool) {}

  static async open(options: PostgresOptions): Promise<PostgresDatabase> {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          parsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on("error", () => {});
    try {
      await pool.query("SELECT 1"); // fail fast on a wrong URL or an unreachable server
    } catch (e) {
      await pool.end().catch(() => {});
      throw e;
    }
    return new PostgresDatabase(pool);
  }

  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return run<R>(this.pool, sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn({
        query: (sql, params) => run(client, sql, params),
        exec: async (sql) => {
          await client.query(sql);
        },
      });
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
