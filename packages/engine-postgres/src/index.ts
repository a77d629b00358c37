export { servedFormats } from "./consume/consume-query.js";
export { PostgresReader } from "./consume/postgres-reader.js";
export { judgeConsumerPlan, judgeConsumerText, judgeRowFilter } from "./consumer-guard.js";
export { issueLogin, type LoginOptions } from "./grants/issue-login.js";
export { type ProvisionedShare, provisionShare, type ShareSpec } from "./grants/provision-share.js";
export { type RevokedShare, revokeShare } from "./grants/revoke-share.js";
export { defaultViewName, shareIdentifier } from "./grants/share-identifier.js";
export { postgresEngine } from "./manifest.js";
export { type MaskedSelect, maskedSelect, type ServedColumn } from "./masked-select.js";
export { portableType } from "./pipeline/portable-type.js";
export { PostgresPipelineBuilder } from "./pipeline/postgres-pipeline-builder.js";
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
