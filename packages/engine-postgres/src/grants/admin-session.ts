import { ConflictError, EngineError, NotAllowedError, QuantaError } from "@quanta/core";
import pg from "pg";
import { connectError } from "../connect-error.js";
import { clientTarget, type PostgresConfig } from "../postgres-config.js";

/**
 * A session as the server's admin role, for granting: writable, `search_path` without user schemas
 * (every name in the grants is qualified, and the views' types and functions are bound as
 * `pg_catalog, pg_temp` resolves them), statements bounded by the configured time limit.
 */
export async function withAdmin<T>(admin: PostgresConfig, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    ...clientTarget(admin),
    connectionTimeoutMillis: admin.connectTimeoutMs,
    application_name: "quanta-grants",
    options: `-c default_transaction_read_only=off -c search_path=pg_catalog,pg_temp -c statement_timeout=${admin.statementTimeoutMs} -c lock_timeout=${admin.statementTimeoutMs}`,
  });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw connectError(e, admin);
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** `work` in one transaction, holding the share role's lock (provisions and revocations of one role take turns). */
export async function inTransaction<T>(client: pg.Client, role: string, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 0))", [
      `quanta-share:${role}`,
    ]);
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  }
}

/**
 * A server error while granting, with what PostgreSQL adds, as the caller can act on it: missing
 * rights (`42501`) a NotAllowedError, a concurrent creation (`42710`, `23505`) a ConflictError.
 * `sql` is attached unless it holds a secret.
 */
export function grantError(e: unknown, what: string, sql?: string): QuantaError {
  if (e instanceof QuantaError) return e;
  const err = e as { code?: string; message?: string; detail?: string; hint?: string };
  const extra = [err.detail, err.hint ? `hint: ${err.hint}` : undefined].filter(Boolean).join("; ");
  const message = `${what}: ${err.message ?? String(e)}${extra ? ` (${extra})` : ""}`;
  if (err.code === "42501") return new NotAllowedError(message, { code: "grant-not-allowed", cause: e });
  if (err.code === "42710" || err.code === "23505") return new ConflictError(message, { code: "share-busy", cause: e });
  return new EngineError(message, { ...(sql ? { sql } : {}), cause: e });
}
