import { join } from "node:path";
import type { ConsumeLimits } from "@quanta/core/engines";
import { eventsPart } from "../events/events-part.js";
import { GovernanceService } from "../governance/governance-service.js";
import {
  type ContractTestLimits,
  type ContractTestPayload,
  contractTestKind,
  runContractTest,
} from "../jobs/contract-test.js";
import { type Job, JobQueue } from "../jobs/job-queue.js";
import { ContractTestScheduler } from "../jobs/scheduler.js";
import { JobWorker } from "../jobs/worker.js";
import { Lake } from "../lake/lake.js";
import { type LakeRecovery, type LakeRecoveryOptions, recoverLake } from "../lake/recover-lake.js";
import { StorageRoot } from "../lake/storage-root.js";
import { lifecyclePart } from "../lifecycle/lifecycle-part.js";
import { afterContractTest } from "../observability/after-test.js";
import { sloPart } from "../observability/slo/slo-part.js";
import { lineageDelivery, lineageDeliveryKind } from "../pipelines/lineage-delivery.js";
import { currentPipeline } from "../pipelines/pipeline-declaration.js";
import { runPipelineJob } from "../pipelines/pipeline-run-job.js";
import { PipelineScheduler, pipelineScheduleHandler, pipelineScheduleKind } from "../pipelines/pipeline-scheduler.js";
import { pipelineRunKind } from "../pipelines/pipeline-service.js";
import { type PipelineRunLimits, pipelineRunLimitsFromEnv } from "../pipelines/run-pipeline.js";
import type { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { WebhookAddressPolicy } from "../webhooks/webhook-address.js";
import { webhookDelivery, webhookDeliveryConcurrency, webhookDeliveryKind } from "../webhooks/webhook-service.js";
import type { BackgroundPart } from "./background-part.js";
import { DataLocator, type DataPlaneOptions } from "./data-locator.js";
import { Harness } from "./harness.js";
import { type IngestRecovery, type IngestRecoveryOptions, recoverIngest } from "./ingest/recover-ingest.js";

export interface HarnessRuntimeOptions {
  db: Database;
  registry: Registry;
  /** Platform-owned files: ingested batches, temporary results, products not published from a folder. */
  dataDir: string;
  /** The storage Quanta owns: port versions of ingested and published data (default `<dataDir>/lake`). */
  storageRoot?: StorageRoot;
  /** Where contract servers may point, which environment's servers are read, where `${VAR}` resolves. */
  dataPlane?: DataPlaneOptions;
  /** Product id → the folder it was published from (the demo mesh), where its local servers read. */
  productFolders?: ReadonlyMap<string, string>;
  /** Products whose contracts are tested once right away, in the background (`serve --demo`). */
  testAtStart?: readonly string[];
  /** Run the scheduler and a worker in this process (default true; a pure API replica may say false). */
  runJobs?: boolean;
  /** Start the jobs only once this settles true (the server is ready to serve); false: never. */
  jobsStartAfter?: Promise<boolean>;
  consume?: Partial<ConsumeLimits>;
  /** Networks (CIDR) webhooks may be delivered to although not public (QUANTA_WEBHOOK_ALLOWED_NETWORKS). */
  webhookAllowedNetworks?: readonly string[] | undefined;
  /** Time and DuckDB limits of pipeline runs (defaults: `defaultPipelineRunLimits`). */
  pipelineLimits?: Partial<PipelineRunLimits>;
  /** Time limits of background contract tests (defaults: `defaultContractTestLimits`). */
  testLimits?: Partial<ContractTestLimits>;
  /** Start-up recovery of the ingest folder (grace period for other replicas' files); false: none. */
  ingestRecovery?: IngestRecoveryOptions | false;
  /** Start-up recovery of the storage root (grace period for other replicas' staged versions); false: none. */
  lakeRecovery?: LakeRecoveryOptions | false;
  /** How often grants in the stores are brought in line with the agreements (default 30 s). */
  grantsReconcileMs?: number;
  workerConcurrency?: number;
  schedulerTickMs?: number;
  /** Problems: failed jobs, scheduler errors. */
  log?: (line: string) => void;
  /** News that is no problem: the start-up tests queued and, once they all ended, how they ended (default `log`). */
  info?: (line: string) => void;
}

export interface HarnessRuntime {
  harness: Harness;
  queue: JobQueue;
  scheduler: ContractTestScheduler;
  worker: JobWorker;
  /** Settles when start-up recovery of the ingest folder is done (see recoverIngest). */
  recovered: Promise<IngestRecovery>;
  /** Settles when start-up recovery of the storage root is done (see recoverLake). */
  lakeRecovered: Promise<LakeRecovery>;
  stop(): Promise<void>;
}

/** A port a product's current pipeline builds, without a current version yet. */
async function awaitsFirstBuild(db: Database, lake: Lake, productId: string, port: string): Promise<boolean> {
  if (await lake.current(db, productId, port)) return false;
  const declared = await currentPipeline(db, productId);
  return declared?.pipeline.outputs.some((o) => o.port === port) ?? false;
}

/**
 * The harness with its background work: a scheduler enqueueing due contract tests and a worker
 * running them off the request path (DuckDB's async API keeps the event loop serving requests).
 */
export function startHarness(options: HarnessRuntimeOptions): HarnessRuntime {
  const log = options.log ?? (() => {});
  const info = options.info ?? log;
  // The start-up tests (testAtStart): how each job ended, reported in one line once all have.
  const startEnded = new Map<number, string>();
  let startTests: number[] | undefined;
  const reportStartTests = () => {
    if (startTests === undefined || !startTests.every((id) => startEnded.has(id))) return;
    const count = (...statuses: string[]) =>
      startTests?.filter((id) => statuses.includes(startEnded.get(id) ?? "")).length;
    const errors = count("error") ?? 0;
    const waiting = count("skipped") ?? 0;
    info(
      `background contract tests finished: ${count("passed", "warning")} passed, ${count("failed")} failed${errors > 0 ? `, ${errors} could not run` : ""}${waiting > 0 ? `, ${waiting} wait for their pipeline's first version` : ""}`,
    );
    startTests = undefined;
  };
  const startTestEnded = (job: Job, status: string) => {
    if (job.payload.trigger !== "start") return;
    startEnded.set(job.id, status);
    reportStartTests();
  };
  const locator = new DataLocator(options.dataDir, {
    ...options.dataPlane,
    lake: new Lake(options.storageRoot ?? new StorageRoot(join(options.dataDir, "lake"))),
  });
  for (const [id, folder] of options.productFolders ?? []) locator.setFolder(id, folder);
  // Read once, at start: a bad QUANTA_PIPELINE_* value stops the server, not every run in silence.
  const pipelineLimits = { ...pipelineRunLimitsFromEnv(process.env), ...options.pipelineLimits };
  const queue = new JobQueue(options.db);
  // The features' background parts; the worker is made below, so they poke it through this.
  let poke = () => {};
  const context = { db: options.db, queue, locator, lake: locator.lake, poke: () => poke(), log };
  const parts: BackgroundPart[] = [sloPart(context), lifecyclePart(context), eventsPart(context)];
  const worker = new JobWorker(queue, {
    concurrency: options.workerConcurrency ?? 1,
    // Deliveries side by side: a receiver that hangs until its timeout holds up only its own loop.
    kindConcurrency: { [webhookDeliveryKind]: webhookDeliveryConcurrency },
    handlers: {
      [contractTestKind]: async (job, signal) => {
        const payload = job.payload as unknown as ContractTestPayload;
        // A port its pipeline builds has nothing to test before its first version.
        if (await awaitsFirstBuild(options.db, locator.lake, payload.productId, payload.port)) {
          startTestEnded(job, "skipped");
          return { skipped: `port ${payload.port} has no version yet: its pipeline has not built one` };
        }
        const outcome = await runContractTest(options.db, locator, payload, {
          signal,
          job,
          limits: options.testLimits,
        }).catch((e: unknown) => {
          // Its last attempt failed: the job ends for good (when stopping, it is given back instead).
          if (!signal.aborted && job.attempts >= job.maxAttempts) startTestEnded(job, "error");
          throw e;
        });
        startTestEnded(job, outcome.status);
        // Detection: drift, anomalies, breaches and failures open, update or resolve incidents.
        await afterContractTest(options.db, payload, outcome).catch((e: unknown) => {
          log(`detect ${payload.productId}.${payload.port}: ${(e as Error)?.message ?? e}`);
        });
        // Continuous governance: every test run re-evaluates the product, so certification follows it.
        await new GovernanceService(options.db).evaluate(payload.productId, "test-run").catch((e: unknown) => {
          log(`evaluate ${payload.productId}: ${(e as Error)?.message ?? e}`);
        });
        return outcome;
      },
      [pipelineRunKind]: async (job, signal) => {
        // Stopping the server stops the run too; the replica that takes the job runs it again.
        const ran = await runPipelineJob(options.db, locator, job, pipelineLimits, signal);
        // A new current version queued its own contract test (PortVersionStore.makeCurrent): run it now.
        if (ran.outputs.some((o) => o.published)) worker.poke();
        return ran;
      },
      ...(process.env.QUANTA_OPENLINEAGE_URL
        ? {
            [lineageDeliveryKind]: lineageDelivery(process.env.QUANTA_OPENLINEAGE_URL, {
              ...(process.env.QUANTA_OPENLINEAGE_API_KEY ? { apiKey: process.env.QUANTA_OPENLINEAGE_API_KEY } : {}),
            }),
          }
        : {}),
      [pipelineScheduleKind]: pipelineScheduleHandler(options.db, locator.lake),
      [webhookDeliveryKind]: webhookDelivery(
        options.db,
        new WebhookAddressPolicy({ allowedNetworks: options.webhookAllowedNetworks }),
      ),
      ...Object.assign({}, ...parts.map((p) => p.handlers ?? {})),
    },
    onError: (e, job) => log(`job ${job ? `${job.kind} #${job.id}` : "worker"} failed: ${(e as Error)?.message ?? e}`),
  });
  poke = () => worker.poke();
  let scheduler: ContractTestScheduler;
  let stopped = false;
  const harness = new Harness({
    db: options.db,
    registry: options.registry,
    locator,
    log,
    ...(options.consume ? { consume: options.consume } : {}),
    onStarted: (id) => {
      void scheduler
        .testNow([id], "control")
        .then(() => worker.poke())
        .catch(() => {});
    },
  });
  scheduler = new ContractTestScheduler(options.db, queue, harness.lifecycle, {
    ...(options.schedulerTickMs ? { tickMs: options.schedulerTickMs } : {}),
    onError: (e) => log(`scheduler: ${(e as Error)?.message ?? e}`),
  });
  const pipelineScheduler = new PipelineScheduler(options.db, queue, {
    ...(options.schedulerTickMs ? { tickMs: options.schedulerTickMs } : {}),
    onError: (e) => log(`pipeline scheduler: ${(e as Error)?.message ?? e}`),
  });
  const startJobs = () => {
    if (stopped) return;
    worker.start();
    pipelineScheduler.start(() => worker.poke());
    for (const p of parts) p.start?.();
    // The demo's tests first (they take the current slots), then the schedule for the rest.
    const queued: number[] = [];
    void scheduler
      .testNow(options.testAtStart ?? [], "start", new Date(), (job) => queued.push(job.id))
      .then((n) => {
        if (n > 0) info(`testing ${n} contract(s) in the background`);
        if (queued.length > 0) {
          startTests = queued;
          reportStartTests();
        }
        worker.poke();
      })
      .catch((e: unknown) => log(`start tests: ${(e as Error)?.message ?? e}`))
      .finally(() => {
        if (!stopped) scheduler.start(() => worker.poke());
      });
  };
  // In the background: it keeps this process's in-flight files, so ingest need not wait for it.
  const none: IngestRecovery = { completed: [], orphaned: [], removed: [], missing: [] };
  const recovered =
    options.ingestRecovery === false
      ? Promise.resolve(none)
      : recoverIngest(options.db, locator, options.ingestRecovery).then(
          (r) => {
            if (r.completed.length + r.orphaned.length + r.removed.length > 0)
              log(
                `ingest recovery: ${r.completed.length} batch file(s) completed, ${r.orphaned.length} without a batch moved to ingest-orphans/, ${r.removed.length} temporary file(s) removed`,
              );
            if (r.missing.length > 0)
              log(`ingest recovery: the files of batch(es) ${r.missing.join(", ")} are missing`);
            return r;
          },
          (e: unknown) => {
            log(`ingest recovery: ${(e as Error)?.message ?? e}`);
            return none;
          },
        );
  // In the background too: this process's own staged versions are kept, so uploads need not wait.
  const noLake: LakeRecovery = { abandoned: [], removed: [], unknown: [] };
  const lakeRecovered =
    options.lakeRecovery === false
      ? Promise.resolve(noLake)
      : recoverLake(options.db, harness.lake, options.lakeRecovery).then(
          (r) => {
            if (r.abandoned.length > 0)
              log(
                `storage recovery: ${r.abandoned.length} version(s) a stopped upload or ingest left were given up (${r.abandoned.join(", ")}), ${r.removed.length} folder(s) removed`,
              );
            else if (r.removed.length > 0)
              log(`storage recovery: ${r.removed.length} folder(s) of failed versions removed`);
            if (r.unknown.length > 0)
              log(
                `storage recovery: ${r.unknown.length} folder(s) in the storage root belong to no version this store knows (another store's?), left alone: ${r.unknown.slice(0, 3).join(", ")}${r.unknown.length > 3 ? ", …" : ""}`,
              );
            return r;
          },
          (e: unknown) => {
            log(`storage recovery: ${(e as Error)?.message ?? e}`);
            return noLake;
          },
        );
  // Grants in the stores follow the agreements: notices that ended, stores that were unreachable.
  let reconciling = false;
  const grantsTimer = setInterval(() => {
    if (reconciling || stopped) return;
    reconciling = true;
    void harness.grants
      .reconcile()
      .catch((e: unknown) => log(`grants: ${(e as Error)?.message ?? e}`))
      .finally(() => {
        reconciling = false;
      });
  }, options.grantsReconcileMs ?? 30_000);
  grantsTimer.unref();
  if (!(options.runJobs ?? true)) clearInterval(grantsTimer);
  if (options.runJobs ?? true) {
    if (options.jobsStartAfter) void options.jobsStartAfter.then((go) => go && startJobs());
    else startJobs();
  }
  return {
    harness,
    queue,
    scheduler,
    worker,
    recovered,
    lakeRecovered,
    async stop() {
      stopped = true;
      clearInterval(grantsTimer);
      await recovered;
      await lakeRecovered;
      await scheduler.stop();
      await pipelineScheduler.stop();
      for (const p of parts) await p.stop?.();
      await worker.stop();
      harness.close();
    },
  };
}
