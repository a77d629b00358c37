export { type ConsumeLimits, type ConsumeOutcome, defaultConsumeLimits } from "@quanta/core/engines";
export { type Agreement, type AgreementState, agreementStates } from "./access/agreement.js";
export type { AgreementConnection } from "./access/agreement-connection-schema.js";
export * from "./audit/event-log.js";
export * from "./client/credentials.js";
export { DataUploadError, type DataUploadOptions, dataFormatOfFile } from "./client/data-upload.js";
export * from "./client/platform-client.js";
export { type DataImportEnvironmentOptions, dataImportEnvironment } from "./formats/data-import-environment.js";
export { DataLocator } from "./harness/data-locator.js";
export { Harness, type HarnessOptions } from "./harness/harness.js";
export type { IngestLimits, IngestResult } from "./harness/ingest/ingest-batch.js";
export * from "./harness/lifecycle.js";
export { type Lifecycle, LifecycleStore, type ProductConfig } from "./harness/lifecycle-store.js";
export { type HarnessRuntime, type HarnessRuntimeOptions, startHarness } from "./harness/start-harness.js";
export * from "./harness/usage-repository.js";
export * from "./http/auth-middleware.js";
export * from "./http/create-app.js";
export * from "./http/error-response.js";
export * from "./identity/authenticator.js";
export * from "./identity/authorize.js";
export { type DemoToken, type DemoTokens, ensureDemoIdentities } from "./identity/demo-identities.js";
export * from "./identity/identity-store.js";
export * from "./identity/oidc-verifier.js";
export * from "./identity/platform-authenticator.js";
export * from "./identity/principal.js";
export * from "./identity/team-repository.js";
export * from "./identity/unauthenticated-error.js";
export { type ContractTestOutcome, runContractTest } from "./jobs/contract-test.js";
export { type Job, JobQueue } from "./jobs/job-queue.js";
export { ContractTestScheduler } from "./jobs/scheduler.js";
export * from "./jobs/test-run-repository.js";
export { JobWorker } from "./jobs/worker.js";
export { Lake } from "./lake/lake.js";
export type { CurrentVersion, VersionSummary } from "./lake/port-version-store.js";
export type { DataFormat, PublishDataResult } from "./lake/publish-data.js";
export { StorageRoot } from "./lake/storage-root.js";
export { type Impact, type ImpactTarget, impactOf } from "./lineage/impact.js";
export type { LineageGraph } from "./lineage/lineage-schema.js";
export { LineageStore } from "./lineage/lineage-store.js";
export type { Incident, ServiceLevels, Stat, TimelineEntry } from "./observability/incident-service.js";
export type {
  PipelineLogLine,
  PipelineOutputResult,
  PipelineRun,
  PipelineRunDetail,
  PipelineStepRecord,
} from "./pipelines/pipeline-run-schema.js";
export type { RollbackResult } from "./pipelines/pipeline-service.js";
export * from "./refused-error.js";
export * from "./registry/contract-repository.js";
export * from "./registry/product-folder.js";
export * from "./registry/product-repository.js";
export * from "./registry/publish-product.js";
export * from "./registry/registry.js";
export { type OpenSecretStoreOptions, openSecretStore } from "./secrets/open-secret-store.js";
export { anyEnvironment, type SecretInfo, SecretStore, secretRules } from "./secrets/secret-store.js";
export * from "./server/start-platform.js";
export * from "./storage/database.js";
export * from "./storage/migrate.js";
export * from "./storage/open-database.js";
export { platformVersion } from "./version.js";
