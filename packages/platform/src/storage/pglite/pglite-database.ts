import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { Database, Queryable, QueryResult } from "../database.js";
import { parseInt8, parseTimestamp, parseTimestamptz, typeOids } from "../normalize.js";

export interface PgliteOptions {
  /** A data directory on disk; omitted: in memory (tests, throwaway demos). */
  dataDir?: string;
  /** A dump (`dump()`) to start from instead of an empty store. */
  loadDataDir?: Blob;
}

type PgliteLike = Pick<PGlite, "query" | "exec"> | Pick<Transaction, "query" | "exec">;

function queryable(db: PgliteLike): Queryable {
  return {
    query: (sql, params) => run(db, sql, params),
    exec: async (sql) => {
      await db.exec(sql);
    },
  };
}

async function run<R>(db: PgliteLike, sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
  const res = await db.query<R>(sql, params ? [...params] : undefined);
  return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
}

/** Embedded PostgreSQL (WASM): one process owns the data directory, so one instance per directory. */
export class PgliteDatabase implements Database {
  readonly driver = "pglite" as const;
  private analyzing: NodeJS.Timeout | undefined;
  private constructor(private readonly db: PGlite) {}

  /**
   * What PostgreSQL's autovacuum does and PGlite does not: the planner's statistics, now and then
   * every `everyMs`. Without them the planner walks a million lineage edges in id order rather than
   * by its index (bench/lineage: a depth-5 query's p95 220 ms before, 19 ms after). Each run is
   * one `ANALYZE` (about 0.8 s at a million rows) queued behind the statements before it.
   */
  async autoAnalyze(everyMs: number): Promise<void> {
    await this.analyze();
    if (everyMs <= 0 || this.analyzing) return;
    this.analyzing = setInterval(() => {
      this.analyze().catch(() => {}); // closing meanwhile: the next store opened analyzes again
    }, everyMs);
    this.analyzing.unref();
  }

  async analyze(): Promise<void> {
    if (!this.db.closed) await this.db.exec("ANALYZE");
  }

  /** Loaded lazily: the WASM engine and pg_trgm are only read when the embedded store is used. */
  static async open(options: PgliteOptions = {}): Promise<PgliteDatabase> {
    const [{ PGlite }, { pg_trgm }] = await Promise.all([
      import("@electric-sql/pglite"),
      import("@electric-sql/pglite/contrib/pg_trgm"),
    ]);
    const db = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      extensions: { pg_trgm },
      parsers: {
        [typeOids.int8]: parseInt8,
        [typeOids.timestamptz]: parseTimestamptz,
        [typeOids.timestamp]: parseTimestamp,
      },
    });
    return new PgliteDatabase(db);
  }

  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return run<R>(this.db, sql, params);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(queryable(tx)));
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  /** The whole store as a gzipped tarball (PGlite's `dumpDataDir`). */
  dump(): Promise<Blob> {
    return this.db.dumpDataDir("gzip");
  }

  async close(): Promise<void> {
    clearInterval(this.analyzing);
    this.analyzing = undefined;
    if (!this.db.closed) await this.db.close();
  }
}
