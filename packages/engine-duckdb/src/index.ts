export { rawColumn } from "./consume/arrow-output.js";
export { type ConsumeStream, consumeQuery } from "./consume/consume-query.js";
export { DuckDbReader } from "./consume/duckdb-reader.js";
export type { SandboxDataset } from "./consume/sandbox-dataset.js";
export { type SandboxLease, SandboxPool, type SandboxPoolOptions } from "./consume/sandbox-pool.js";
export { DuckDbConnection, openDuckDb } from "./duckdb-connection.js";
export { judgeParseTree } from "./duckdb-guard.js";
export { columnLineage } from "./lineage/column-lineage.js";
export { lineageInputsOf } from "./lineage/lineage-inputs.js";
export { lineageOfTrees } from "./lineage/lineage-of-trees.js";
export type {
  ColumnLineage,
  DirectSubtype,
  IndirectSubtype,
  LineageInputs,
  LineageIssue,
  LineageIssueCode,
  LineageSource,
  LineageStatement,
  LineageTransformation,
  OutputColumnLineage,
} from "./lineage/lineage-types.js";
export { duckdbEngine } from "./manifest.js";
export {
  BuildFailed,
  type BuildRequest,
  type BuildResult,
  type BuildStep,
  type BuiltStep,
  buildOutput,
  exportInputs,
} from "./pipeline/build-output.js";
export { type ReplaceRangeRequest, type ReplaceRangeResult, replaceRange } from "./pipeline/replace-range.js";
export { rowsNotAbove, type Watermark, watermarkOf } from "./pipeline/watermark.js";
export { type GenerateOptions, generateProductData, generateScript } from "./product-data.js";
export { fileFormats, filesLiteral, formatOf, readableRoot, readerSql, remoteExtension } from "./sources.js";
export { readTabularFile, writeParquetFromNdjson } from "./tabular-files.js";
