export { rawColumn } from "./consume/arrow-output.js";
export {
  type ConsumeFormat,
  type ConsumeLimits,
  type ConsumeOutcome,
  type ConsumeQuery,
  type ConsumeStream,
  consumeFormats,
  consumeQuery,
  defaultConsumeLimits,
} from "./consume/consume-query.js";
export type { SandboxDataset } from "./consume/sandbox-dataset.js";
export { type SandboxLease, SandboxPool, type SandboxPoolOptions } from "./consume/sandbox-pool.js";
export { DuckDbConnection, openDuckDb } from "./duckdb-connection.js";
export { judgeParseTree } from "./duckdb-guard.js";
export { duckdbEngine } from "./manifest.js";
export { type GenerateOptions, generateProductData, generateScript } from "./product-data.js";
export { fileFormats, formatOf, readableRoot, readerSql } from "./sources.js";
export { readTabularFile, writeParquetFromNdjson } from "./tabular-files.js";
