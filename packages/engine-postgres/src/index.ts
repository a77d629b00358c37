export { postgresEngine } from "./manifest.js";
export {
  defaultConnectTimeoutMs,
  defaultStatementTimeoutMs,
  displayUrl,
  type PostgresConfig,
  resolvePostgresConfig,
  serverEnvPrefix,
} from "./postgres-config.js";
export { openPostgres, PostgresConnection } from "./postgres-connection.js";
export { isForbiddenFunction, judgePlan, judgeSqlText, lexPostgres } from "./postgres-guard.js";
