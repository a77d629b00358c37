import { registryMigration } from "./0001-registry.js";
import { searchIndexesMigration } from "./0002-search-indexes.js";
import { harnessAndJobsMigration } from "./0011-harness-and-jobs.js";
import { identityMigration } from "./0013-identity.js";
import { agreementsAndGovernanceMigration } from "./0014-agreements-and-governance.js";
import { searchLexiconMigration } from "./0015-search-lexicon.js";
import { searchRankMigration } from "./0016-search-rank.js";
import { searchRankInlineMigration } from "./0017-search-rank-inline.js";
import { searchChangesMigration } from "./0018-search-changes.js";
import { webhookSecretsMigration } from "./0019-webhook-secrets.js";
import { ingestIdempotencyMigration } from "./0020-ingest-idempotency.js";
import { abandonedTestRunsMigration } from "./0022-abandoned-test-runs.js";
import { portVersionsMigration } from "./0023-port-versions.js";
import { secretsMigration } from "./0024-secrets.js";
import { agreementGrantsMigration } from "./0025-agreement-grants.js";
import { pipelinesMigration } from "./0029-pipelines.js";
import { grantTargetsMigration } from "./0030-grant-targets.js";
import { pipelineRunControlMigration } from "./0031-pipeline-run-control.js";
import { lineageEdgesMigration } from "./0032-lineage-edges.js";
import { lineageEdgesPrefixMigration } from "./0033-lineage-edges-prefix.js";
import { lineageBackfillsMigration } from "./0034-lineage-backfills.js";
import { observabilityMigration } from "./0035-observability.js";
import { eventSubscriptionsMigration } from "./0036-event-subscriptions.js";
import { slosMigration } from "./0037-slos.js";
import { lifecycleEnforcementMigration } from "./0038-lifecycle-enforcement.js";
import { eventFeedFloorMigration } from "./0039-event-feed-floor.js";
import type { Migration } from "./migration.js";

export type { Migration } from "./migration.js";

/** Every migration in order; append only, never edit one that has shipped. */
export const migrations: readonly Migration[] = [
  registryMigration,
  searchIndexesMigration,
  harnessAndJobsMigration,
  identityMigration,
  agreementsAndGovernanceMigration,
  searchLexiconMigration,
  searchRankMigration,
  searchRankInlineMigration,
  searchChangesMigration,
  webhookSecretsMigration,
  ingestIdempotencyMigration,
  abandonedTestRunsMigration,
  portVersionsMigration,
  secretsMigration,
  agreementGrantsMigration,
  pipelinesMigration,
  grantTargetsMigration,
  pipelineRunControlMigration,
  lineageEdgesMigration,
  lineageEdgesPrefixMigration,
  lineageBackfillsMigration,
  observabilityMigration,
  eventSubscriptionsMigration,
  slosMigration,
  lifecycleEnforcementMigration,
  eventFeedFloorMigration,
];
