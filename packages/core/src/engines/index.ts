/** `@quanta/core/engines`: engine manifests, the registry of installed engines, server selection. */
export type { EngineCapabilities, EngineManifest } from "./engine-manifest.js";
export { EngineRegistry } from "./engine-registry.js";
export type {
  ShareEndpoint,
  ShareGrant,
  ShareLogin,
  ShareRequest,
  ShareServer,
  ShareTarget,
  StoreGrants,
} from "./grants.js";
export {
  type PipelineBuilder,
  PipelineBuildFailed,
  type PipelineBuildRequest,
  type PipelineBuildResult,
  type PipelineBuildStep,
  type PipelineBuiltStep,
  type PipelineColumn,
  type PipelineExported,
  type PipelineExportRequest,
  type PipelineInput,
} from "./pipeline-build.js";
export {
  type ByteStream,
  type ConsumeFormat,
  type ConsumeLimits,
  type ConsumeOutcome,
  type ConsumeQuery,
  type ConsumeStream,
  consumeContentTypes,
  consumeFormats,
  type DataReader,
  type DatasetSource,
  defaultConsumeLimits,
  type ReadDataset,
  type ReaderOptions,
  type ReadRequest,
} from "./read.js";
export type { FileRows, RowRewriteRequest, RowRewriter, RowsOlderThan } from "./row-rewrite.js";
export { describeServer, type SelectedServer, type ServerChoice, selectServer } from "./select-server.js";
export {
  credentialFields,
  type ResolvedServer,
  redactSecrets,
  resolveServerVariables,
  type VariableLookup,
} from "./variables.js";
