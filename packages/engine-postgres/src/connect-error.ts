import { type QuantaError, UnavailableError } from "@quanta/core";
import type { PostgresConfig } from "./postgres-config.js";

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * A failure to reach or log in to the server, in words a user can act on: the server named by
 * `config.display` (never `config.url`, which holds the password). An `UnavailableError`, so the
 * platform answers 503 with this message instead of a 500 that hides it.
 */
export function connectError(e: unknown, config: PostgresConfig): QuantaError {
  const err = e as { code?: string; message?: string };
  const where = `PostgreSQL at ${config.display}`;
  const reasons: Record<string, [string, string]> = {
    ECONNREFUSED: ["engine-unreachable", "connection refused (is the server running and reachable?)"],
    ENOTFOUND: ["engine-unreachable", "host not found"],
    EAI_AGAIN: ["engine-unreachable", "host name lookup failed"],
    ETIMEDOUT: ["engine-unreachable", "timed out"],
    EHOSTUNREACH: ["engine-unreachable", "host unreachable"],
    ECONNRESET: ["engine-unreachable", "connection reset by the server"],
    "28P01": ["engine-login-failed", `authentication failed (${err.message}); check the server's credentials`],
    "28000": ["engine-login-failed", `not authorized (${err.message})`],
    "3D000": ["engine-unreachable", String(err.message)],
    "53300": ["engine-busy", "too many connections"],
    "57P03": ["engine-busy", "the server is starting up or shutting down"],
  };
  const known = err.code !== undefined ? reasons[err.code] : undefined;
  const [code, reason] =
    known ??
    (/timeout/i.test(message(e))
      ? ["engine-unreachable", `no answer within ${config.connectTimeoutMs} ms`]
      : ["engine-unreachable", message(e)]);
  return new UnavailableError(`cannot connect to ${where}: ${reason}`, { code, cause: e });
}
