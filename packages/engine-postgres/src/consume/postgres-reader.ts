import { createHash } from "node:crypto";
import type { ConsumeStream, DataReader, ReaderOptions, ReadRequest } from "@quanta/core/engines";
import pg from "pg";
import { clientTarget, type PostgresConfig, resolvePostgresConfig } from "../postgres-config.js";
import { consumeQuery } from "./consume-query.js";

/** Connections per server: consume queries are short, and a server is someone else's to share. */
const poolSize = 5;
/** Servers with a pool at once: a contract per server, the least recently read closed past it. */
const maxPools = 16;
const idleMs = 30_000;

/**
 * Every session a consumer's query runs on: read-only by default, `search_path` without any user
 * schema (the datasets are named fully qualified, the consumer's SQL names only them, and no
 * unqualified name can find a user function), times and dates printed in ISO form in UTC, so the
 * text of a value means the same on every server.
 */
const sessionOptions = [
  "default_transaction_read_only=on",
  "search_path=pg_catalog,pg_temp",
  "TimeZone=UTC",
  "DateStyle=ISO",
  "IntervalStyle=postgres",
  "bytea_output=hex",
  "extra_float_digits=1",
  "standard_conforming_strings=on",
]
  .map((o) => `-c ${o}`)
  .join(" ");

/** Every value as the server prints it: the writers convert (or keep) the text themselves. */
const asText = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

/**
 * Consumers' reads of PostgreSQL tables, where they lie: masks and row filters compiled into the
 * statement, the consumer's SQL guarded to read only the datasets (see consumeQuery), on a small
 * pool of connections per server.
 */
export class PostgresReader implements DataReader {
  private readonly pools = new Map<string, pg.Pool>();
  private closed = false;

  constructor(private readonly options: ReaderOptions) {}

  async consume(request: ReadRequest): Promise<ConsumeStream> {
    const config = resolvePostgresConfig(request.server, request.env);
    return consumeQuery(
      this.pool(config),
      config,
      request.datasets,
      request.query,
      request.limits,
      this.options.tempDir,
    );
  }

  private pool(config: PostgresConfig): pg.Pool {
    if (this.closed) throw new Error("the PostgreSQL reader is closed");
    // Keyed by a hash: the URL holds the password.
    const key = createHash("sha256").update(`${config.connectTimeoutMs} ${config.url}`).digest("hex");
    let pool = this.pools.get(key);
    if (pool) {
      // Most recently used last, so the oldest is the one closed past the cap.
      this.pools.delete(key);
      this.pools.set(key, pool);
    } else {
      if (this.pools.size >= maxPools) {
        const [oldest, idle] = this.pools.entries().next().value as [string, pg.Pool];
        this.pools.delete(oldest);
        void idle.end().catch(() => {});
      }
      pool = new pg.Pool({
        ...clientTarget(config),
        max: poolSize,
        idleTimeoutMillis: idleMs,
        connectionTimeoutMillis: config.connectTimeoutMs,
        application_name: "quanta-consume",
        options: sessionOptions,
        types: asText,
        keepAlive: true,
      });
      // An idle connection the server dropped is discarded by the pool; it must not crash the process.
      pool.on("error", () => {});
      this.pools.set(key, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.end().catch(() => {})));
  }
}
