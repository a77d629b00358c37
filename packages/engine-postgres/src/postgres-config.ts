import { InputError } from "@quanta/core";

/** Where and how to connect, resolved from a contract's server entry and the environment. */
export interface PostgresConfig {
  /** Connection string (credentials included when they came from the environment). */
  url: string;
  /** Schema holding the contract's tables and views. */
  schema: string;
  /** Seconds-scale limits, in milliseconds. */
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** Shown in errors instead of `url`, so a password never reaches output. */
  display: string;
  /**
   * Set (possibly empty) when the driver must not look for a password itself (libpq's
   * `PGPASSWORD`, `~/.pgpass`): the host is not one the process's own credentials may go to.
   */
  password?: string | undefined;
}

/** The fields of a `pg` client or pool that say where and as whom to connect. */
export function clientTarget(config: PostgresConfig): { connectionString: string; password?: string } {
  return config.password === undefined
    ? { connectionString: config.url }
    : { connectionString: config.url, password: config.password };
}

export const defaultConnectTimeoutMs = 5_000;
export const defaultStatementTimeoutMs = 60_000;

type Env = Readonly<Record<string, string | undefined>>;

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/** `QUANTA_SERVER_<NAME>_…`: the server's name upper-cased, anything but letters and digits as `_`. */
export function serverEnvPrefix(serverName: string): string {
  return `QUANTA_SERVER_${serverName.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_`;
}

function positiveMs(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new InputError(`${name} must be a positive number of milliseconds, got ${JSON.stringify(raw)}`);
  return n;
}

/** A URL with its password masked, for messages. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable connection URL)";
  }
}

/**
 * Resolves a contract's `postgres` server into connection settings. Credentials, most specific first:
 * 0. the server's `user` (or `username`) and `password`, which the caller resolved from `${VAR}`
 *    references (ODCS RFC 0050; `resolveServerVariables` refuses a literal one);
 * 1. `QUANTA_SERVER_<NAME>_URL`: a full `postgres://user:pass@host:port/db` URL for the server named
 *    `<NAME>` in the contract (host/port/database in the contract are then ignored);
 * 2. `QUANTA_SERVER_<NAME>_USER` / `QUANTA_SERVER_<NAME>_PASSWORD`;
 * 3. `QUANTA_POSTGRES_USER` / `QUANTA_POSTGRES_PASSWORD`;
 * 4. libpq's own `PGUSER` / `PGPASSWORD` / `~/.pgpass`, which the driver reads itself.
 *
 * 3 and 4 name no host: when `QUANTA_POSTGRES_HOSTS` is set (the platform sets it, empty when the
 * operator lists none), they are used only for the hosts it lists, so a contract that names another
 * host cannot receive them.
 * Timeouts: `QUANTA_POSTGRES_CONNECT_TIMEOUT_MS` (default 5 s), `QUANTA_POSTGRES_STATEMENT_TIMEOUT_MS` (60 s).
 */
export function resolvePostgresConfig(server: Record<string, unknown>, env: Env): PostgresConfig {
  const name = str(server.server) ?? str(server.id);
  const prefix = name !== undefined ? serverEnvPrefix(name) : undefined;
  const fromEnv = (suffix: string) => (prefix !== undefined ? str(env[`${prefix}${suffix}`]) : undefined);
  const schema = str(server.schema) ?? "public";
  const connectTimeoutMs = positiveMs(env, "QUANTA_POSTGRES_CONNECT_TIMEOUT_MS", defaultConnectTimeoutMs);
  const statementTimeoutMs = positiveMs(env, "QUANTA_POSTGRES_STATEMENT_TIMEOUT_MS", defaultStatementTimeoutMs);

  const given = fromEnv("URL");
  if (given !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(given))
      throw new InputError(`${prefix}URL must be a postgres:// or postgresql:// URL`);
    return { url: given, schema, connectTimeoutMs, statementTimeoutMs, display: displayUrl(given) };
  }
  const host = str(server.host);
  const database = str(server.database);
  if (host === undefined)
    throw new InputError(
      `the ${name ?? "postgres"} server has no host${prefix !== undefined ? ` (or set ${prefix}URL)` : ""}`,
    );
  if (database === undefined)
    throw new InputError(
      `the ${name ?? "postgres"} server has no database${prefix !== undefined ? ` (or set ${prefix}URL)` : ""}`,
    );
  const portRaw = server.port ?? 5432;
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new InputError(`the ${name ?? "postgres"} server has an invalid port ${JSON.stringify(portRaw)}`);
  const url = new URL("postgres://placeholder");
  url.hostname = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  url.port = String(port);
  url.pathname = `/${encodeURIComponent(database)}`;
  const hosts = env.QUANTA_POSTGRES_HOSTS;
  const unscoped =
    hosts === undefined ||
    hosts
      .split(/[\s,]+/)
      .filter(Boolean)
      .some((h) => h.toLowerCase() === host.toLowerCase());
  const user =
    str(server.user) ??
    str(server.username) ??
    fromEnv("USER") ??
    (unscoped ? str(env.QUANTA_POSTGRES_USER) : undefined);
  const password =
    str(server.password) ?? fromEnv("PASSWORD") ?? (unscoped ? str(env.QUANTA_POSTGRES_PASSWORD) : undefined);
  if (user !== undefined) url.username = encodeURIComponent(user);
  if (password !== undefined) url.password = encodeURIComponent(password);
  const text = url.toString();
  return {
    url: text,
    schema,
    connectTimeoutMs,
    statementTimeoutMs,
    display: displayUrl(text),
    // No password of its own and a host the process's credentials may not go to: none at all.
    ...(password === undefined && !unscoped ? { password: "" } : {}),
  };
}
