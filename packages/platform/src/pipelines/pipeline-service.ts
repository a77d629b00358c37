import { ConflictError, NotFoundError, UnprocessableError } from "@quanta/core";
import { AuditLog } from "../audit/audit-log.js";
import { publishEvent } from "../events/publish-event.js";
import { findPort } from "../harness/port-data.js";
import { authorize } from "../identity/authorize.js";
import type { Principal } from "../identity/principal.js";
import { JobQueue } from "../jobs/job-queue.js";
import type { Lake } from "../lake/lake.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { Database } from "../storage/database.js";
import { currentPipeline } from "./pipeline-declaration.js";
import type {
  PipelineLogLine,
  PipelineRun,
  PipelineRunDetail,
  PipelineRunParams,
  PipelineTrigger,
} from "./pipeline-run-schema.js";
import { PipelineRunStore } from "./pipeline-run-store.js";

/** The job kind a run is (ADR 0029); its payload is `{ runId, productId }`. */
export const pipelineRunKind = "pipeline-run";
export const pipelineRunJobKey = (runId: number) => `${pipelineRunKind}:${runId}`;
const jobKey = pipelineRunJobKey;

/**
 * How long a new upstream version waits before its downstream run is due: long enough that a
 * burst of versions (a multi-port publish, an ingest of several batches) makes one run, short
 * enough that the run starts within the issue's two seconds.
 */
export const upstreamDebounceMs = 300;

export interface PipelineRunPayload {
  runId: number;
  productId: string;
}

export interface RollbackResult {
  productId: string;
  port: string;
  /** The new current version, listing the files of `restored`. */
  version: number;
  restored: number;
  previous: number | null;
}

/**
 * Pipelines as callers meet them: request a run (a run record and its job, in one transaction),
 * read runs, their steps and logs, and roll a port back. Rights are decided here (ADR 0013).
 */
export class PipelineService {
  constructor(
    private readonly db: Database,
    private readonly lake: Lake,
  ) {}

  private async product(productId: string) {
    const product = await new ProductRepository(this.db).get(productId);
    if (!product) throw new NotFoundError(`no data product "${productId}"`);
    return product;
  }

  /**
   * Queues a run of the product's pipeline (the owner team or an admin). One run per product at a
   * time: a request while one is queued or running is a 409 naming it. With `params` the run is a
   * backfill of that date range: every output needs a partition column.
   */
  async requestRun(
    productId: string,
    principal: Principal | undefined,
    trigger: PipelineTrigger = "manual",
    params?: PipelineRunParams,
  ): Promise<PipelineRun> {
    const product = await this.product(productId);
    authorize(principal, "pipeline.run", { id: productId, ownerTeam: product.team ?? null });
    const declared = await currentPipeline(this.db, productId);
    if (!declared)
      throw new UnprocessableError(
        `version ${product.version} of ${productId} has no pipeline; add a pipeline.yaml (kind: Pipeline) to the product folder and publish it`,
        { code: "no-pipeline" },
      );
    if (params) {
      if (Number.isNaN(Date.parse(params.from)) || Number.isNaN(Date.parse(params.to)) || params.from > params.to)
        throw new UnprocessableError(
          `a backfill runs from a date to a later one (or the same): ${params.from} to ${params.to}`,
          {
            code: "backfill-range-invalid",
          },
        );
      const unpartitioned = declared.pipeline.outputs.filter(
        (o) => !o.partition || o.steps.some((s) => s.kind === "command"),
      );
      if (unpartitioned.length > 0)
        throw new UnprocessableError(
          `a backfill replaces a date range of each output, and output ${unpartitioned.map((o) => o.port).join(", ")} of ${productId} declares no partition column (partition: { column } in pipeline.yaml, SQL steps only)`,
          { code: "backfill-unpartitioned" },
        );
    }
    return this.enqueue(productId, product.version, trigger, principal?.name ?? null, undefined, params);
  }

  /** A run record and its job, together (the platform's own triggers call this directly). */
  async enqueue(
    productId: string,
    productVersion: string,
    trigger: PipelineTrigger,
    requestedBy: string | null,
    runAt?: Date,
    params?: PipelineRunParams,
  ): Promise<PipelineRun> {
    const open = await this.openRun(productId);
    if (open)
      throw new ConflictError(
        `a pipeline run of ${productId} is already ${open.status} (run ${open.id}); one run per product at a time`,
        { code: "run-in-progress", details: { runId: open.id } },
      );
    // The pipeline's tries for transient failures, and one more for a worker that died mid-run.
    const retries = (await currentPipeline(this.db, productId))?.pipeline.retries.attempts ?? 1;
    return this.db.transaction(async (tx) => {
      const run = await new PipelineRunStore(tx).create({
        productId,
        productVersion,
        trigger,
        requestedBy,
        params: params ?? null,
      });
      const payload: PipelineRunPayload = { runId: run.id, productId };
      await new JobQueue(this.db).enqueue(
        {
          kind: pipelineRunKind,
          key: jobKey(run.id),
          payload: { ...payload },
          maxAttempts: retries + 1,
          ...(runAt ? { runAt } : {}),
        },
        tx,
      );
      await publishEvent(
        tx,
        {
          type: "pipeline.requested",
          subject: productId,
          actor: requestedBy ?? undefined,
          payload: { run: run.id, trigger, ...(params ? { params } : {}) },
        },
        { owners: [productId] },
      );
      return run;
    });
  }

  /**
   * The product's queued or running run, if its job is still alive. A run whose job ended without
   * ending it (its worker was killed on the last attempt) is closed as failed, so it no longer
   * blocks the product.
   */
  private async openRun(productId: string): Promise<PipelineRun | undefined> {
    const runs = new PipelineRunStore(this.db);
    const open = await runs.open(productId);
    if (!open) return undefined;
    const job = await new JobQueue(this.db).byKey(jobKey(open.id));
    if (job && (job.status === "queued" || job.status === "running")) return open;
    const reason = `its job ${job ? `ended (${job.status}: ${job.lastError ?? "no error"})` : "is gone"} without finishing the run; the worker stopped mid-run`;
    await runs.finish(open.id, { status: "failed", reason, outputs: open.outputs });
    await runs.log(open.id, "error", reason);
    return undefined;
  }

  /**
   * A new current version of `port` of `productId` (a pipeline's, an upload's): queues a run of
   * every product whose current pipeline reads that port, after `debounceMs` so a burst of versions
   * makes one run. A product with a run queued already is left alone (that run reads the newest
   * version); one running is left alone too (a limit, ADR 0029). Never the product itself, and no
   * cycle can form: publish refuses one. Best effort: problems are logged lines of the new runs,
   * never the caller's failure.
   */
  async triggerDownstream(productId: string, port: string, debounceMs = upstreamDebounceMs): Promise<PipelineRun[]> {
    const product = await new ProductRepository(this.db).get(productId);
    const contractId = product?.ports.find((p) => p.direction === "output" && p.name === port)?.contractId;
    if (!contractId) return [];
    const queued: PipelineRun[] = [];
    for (const downstream of await new ProductRepository(this.db).readersOfContract(contractId)) {
      if (downstream === productId) continue;
      const declared = await currentPipeline(this.db, downstream);
      const reads = declared?.inputPorts.filter((p) => p.contractId === contractId).map((p) => p.name) ?? [];
      if (!declared?.pipeline.outputs.some((o) => o.reads.some((r) => reads.includes(r)))) continue;
      const version = (await new ProductRepository(this.db).current(downstream))?.version;
      if (!version) continue;
      try {
        const run = await this.enqueue(
          downstream,
          version,
          "upstream",
          `pipeline:${productId}`,
          new Date(Date.now() + debounceMs),
        );
        await new PipelineRunStore(this.db).log(run.id, "info", `new version of ${productId} port ${port}`);
        queued.push(run);
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    return queued;
  }

  /**
   * Cancels a run (the owner team or an admin; audited): a queued one (waiting for a worker, or
   * for its next attempt) ends `cancelled` at once and its job is called off; a running one is
   * flagged in its record, which the worker running it (on any replica) polls: it interrupts the
   * build, discards the staged version and ends the run `cancelled`. Asking twice is harmless; an
   * ended run is a 409.
   */
  async cancel(productId: string, runId: number, principal: Principal | undefined): Promise<PipelineRun> {
    const product = await this.product(productId);
    authorize(principal, "pipeline.run", { id: productId, ownerTeam: product.team ?? null });
    const by = principal?.name ?? "anonymous";
    await this.db.transaction(async (tx) => {
      const store = new PipelineRunStore(tx);
      const run = await store.requestCancel(productId, runId, by);
      if (!run) throw new NotFoundError(`${productId} has no pipeline run ${runId}`);
      if (run.status !== "queued" && run.status !== "running")
        throw new ConflictError(
          `run ${runId} of ${productId} has ended (${run.status}); only a queued or running run can be cancelled`,
          { code: "run-ended" },
        );
      if (run.cancelledBy) return;
      await new AuditLog(tx).append({
        actor: by,
        action: "pipeline.cancel",
        productId,
        decision: "allowed",
        reason: `run ${runId} was ${run.status}`,
        details: { run: runId, status: run.status },
      });
      if (run.status === "running") {
        await store.log(runId, "warning", `cancel requested by ${by}; the run stops at once`);
        return;
      }
      // Waiting: its job never starts it (a worker that claimed it already finds the run ended).
      await new JobQueue(this.db).cancel(jobKey(runId), { cancelledBy: by }, tx);
      const reason = `cancelled by ${by} before it ${run.attempt > 0 ? `was tried again (attempt ${run.attempt + 1})` : "started"}`;
      await store.finish(runId, { status: "cancelled", reason, outputs: run.outputs });
      await store.log(runId, "warning", reason);
      await publishEvent(
        tx,
        {
          type: "pipeline.cancelled",
          subject: productId,
          actor: by,
          payload: { run: runId, reason, cancelledBy: by },
        },
        { owners: [productId] },
      );
    });
    const run = await new PipelineRunStore(this.db).get(productId, runId);
    if (!run) throw new NotFoundError(`${productId} has no pipeline run ${runId}`);
    const { steps: _steps, ...summary } = run;
    return summary;
  }

  async runs(productId: string, principal: Principal | undefined, limit = 20): Promise<PipelineRun[]> {
    const product = await this.product(productId);
    authorize(principal, "pipeline.read", { id: productId, ownerTeam: product.team ?? null });
    return new PipelineRunStore(this.db).list(productId, Math.min(Math.max(limit, 1), 200));
  }

  async run(productId: string, runId: number, principal: Principal | undefined): Promise<PipelineRunDetail> {
    const product = await this.product(productId);
    authorize(principal, "pipeline.read", { id: productId, ownerTeam: product.team ?? null });
    const run = await new PipelineRunStore(this.db).get(productId, runId);
    if (!run) throw new NotFoundError(`${productId} has no pipeline run ${runId}`);
    return run;
  }

  async logs(
    productId: string,
    runId: number,
    principal: Principal | undefined,
    afterId = 0,
  ): Promise<{ run: PipelineRun; lines: PipelineLogLine[] }> {
    const run = await this.run(productId, runId, principal);
    const { steps: _steps, ...summary } = run;
    return { run: summary, lines: await new PipelineRunStore(this.db).logs(runId, afterId) };
  }

  /**
   * Makes an earlier version of an output port current again (the owner team or an admin): a new
   * version listing that version's files, so versions stay immutable and numbered in the order
   * they became current. Audited, with an event.
   */
  async rollback(
    productId: string,
    portName: string,
    version: number,
    principal: Principal | undefined,
  ): Promise<RollbackResult> {
    const product = await this.product(productId);
    authorize(principal, "pipeline.run", { id: productId, ownerTeam: product.team ?? null });
    const port = await findPort(this.db, productId, portName, ["output"]);
    const target = await this.lake.versions.byVersion(this.db, productId, port.name, version);
    if (!target) throw new NotFoundError(`port ${port.name} of ${productId} has no version ${version}`);
    if (target.state !== "superseded" && target.state !== "current")
      throw new ConflictError(
        `version ${version} of port ${port.name} is ${target.state}; only a version that was current can be made current again`,
        { code: "version-not-servable" },
      );
    const current = await this.lake.current(this.db, productId, port.name);
    if (current?.version === version)
      throw new ConflictError(`version ${version} of port ${port.name} is current already`, {
        code: "already-current",
      });
    const actor = principal?.name ?? "anonymous";
    const staged = await this.lake.stage(this.db, { productId, port: port.name, source: "rollback", createdBy: actor });
    try {
      return await this.db.transaction(async (tx) => {
        const made = await this.lake.versions.makeCurrent(tx, staged.row, () => target.datasets);
        await new AuditLog(tx).append({
          actor,
          action: "pipeline.rollback",
          productId,
          port: port.name,
          decision: "allowed",
          reason: `version ${made.version} serves the files of version ${version}`,
          details: { restored: version, version: made.version, previous: made.previous },
        });
        await publishEvent(
          tx,
          {
            type: "port.version.rolled-back",
            subject: productId,
            actor,
            payload: { port: port.name, version: made.version, restored: version, previous: made.previous },
          },
          { owners: [productId], consumersOf: [productId] },
        );
        return { productId, port: port.name, version: made.version, restored: version, previous: made.previous };
      });
    } catch (e) {
      await this.lake.discard(this.db, staged, (e as Error).message);
      throw e;
    }
  }
}
