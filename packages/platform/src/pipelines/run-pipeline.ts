import { stat } from "node:fs/promises";
import {
  type CommandStep,
  defaultPipelineRetries,
  NotFoundError,
  type PipelineRetries,
  type PipelineStep,
  QuantaError,
} from "@quanta/core";
import { objs } from "@quanta/core/read";
import {
  BuildFailed,
  type BuiltStep,
  type ColumnLineage,
  columnLineage,
  lineageInputsOf,
  type SandboxDataset,
} from "@quanta/engine-duckdb";
import type { ReadPlan } from "../access/read-access.js";
import { publishEvent } from "../events/publish-event.js";
import { judgeData, policyData } from "../governance/data-gate.js";
import type { DataLocator } from "../harness/data-locator.js";
import { datasetOf } from "../harness/ingest/ingest-batch.js";
import { findPort, portContract, schemaObjects } from "../harness/port-data.js";
import type { Principal } from "../identity/principal.js";
import type { Lake, StagedVersion } from "../lake/lake.js";
import { testStagedFile } from "../lake/publish-data.js";
import { type LineageTable, lineageTables, recordPipelineLineage } from "../lineage/lineage-service.js";
import { landingRefused, reportRefusal } from "../observability/landing-refused.js";
import { ProductRepository } from "../registry/product-repository.js";
import { str } from "../registry/read.js";
import type { Database } from "../storage/database.js";
import { backfillDataset, withRange } from "./backfill.js";
import { buildPipelineOutput } from "./build-inputs.js";
import { runCommandStep } from "./command-step.js";
import { appendedDataset, incrementalStart, withWatermark } from "./incremental.js";
import { queueLineageDelivery } from "./lineage-delivery.js";
import { lineageEvent } from "./openlineage.js";
import { currentPipeline } from "./pipeline-declaration.js";
import { planInputs } from "./pipeline-inputs.js";
import type { PipelineOutputResult, PipelineStepRecord } from "./pipeline-run-schema.js";
import { PipelineRunStore } from "./pipeline-run-store.js";
import { PipelineService } from "./pipeline-service.js";
import {
  defaultPipelineRunLimits,
  type PipelineRunLimits,
  RunControl,
  RunFailed,
  type RunLimits,
  retryDelayMs,
  runLimits,
} from "./run-control.js";

export { defaultPipelineRunLimits, type PipelineRunLimits, pipelineRunLimitsFromEnv } from "./run-control.js";

/**
 * How a run (one attempt of it) ended: `retrying` when it failed for a transient reason and its
 * pipeline's `retries` allow another attempt, due in `retryInMs`.
 */
export interface PipelineRunOutcome {
  status: "succeeded" | "failed" | "cancelled" | "retrying";
  reason: string | null;
  outputs: PipelineOutputResult[];
  retryInMs?: number;
}

/**
 * Who a pipeline reads as: a service in the product's owner team and nothing else, so its reads
 * take the owner team's agreements (with their masks, filters and pinned contract versions).
 */
export function pipelinePrincipal(productId: string, ownerTeam: string): Principal {
  return {
    userId: `pipeline:${productId}`,
    name: `pipeline:${productId}`,
    displayName: null,
    kind: "service",
    roles: [],
    teams: [{ team: ownerTeam, role: "member" }],
    via: "token",
  };
}

/**
 * Runs a product's pipeline once (run `runId`, created queued): for each output port, every input
 * port it reads is planned through the mesh (`planRead` as the owner team: an active agreement, or
 * the team's own product; its masks and row filters), the steps run in a locked-down DuckDB and
 * write Parquet into a staged version of the port, the contract's tests run on that version, and
 * only a passing version becomes current (atomically, with its `pipeline.succeeded` event). A
 * failing one is kept `failed` for inspection, consumers keep the previous version, and
 * `pipeline.failed` goes out. Never throws for a failed run: its record says why.
 *
 * A cancel request (any replica sets it in the run's record; polled here) or the run's time limit
 * interrupts DuckDB or kills a command's process group; the staged version is discarded and the
 * run ends `cancelled` (with who asked) or `failed`. A transient failure (an input that could not
 * be read) with attempts left by the pipeline's `retries` queues the run again: `retrying`.
 *
 * A backfill (the run's `params`) replaces one date range of each output (backfill.ts); an
 * incremental output appends the rows newer than its watermark (incremental.ts).
 */
export async function runPipeline(
  db: Database,
  locator: DataLocator,
  runId: number,
  productId: string,
  limits: PipelineRunLimits = defaultPipelineRunLimits,
  /** The worker's signal: aborted, the run stops and is left to the worker that takes its job next. */
  worker?: AbortSignal,
): Promise<PipelineRunOutcome> {
  const runs = new PipelineRunStore(db);
  const log = (level: "info" | "warning" | "error", message: string) => runs.log(runId, level, message).catch(() => {});
  const outputs: PipelineOutputResult[] = [];
  const lake = locator.lake;
  let reason: string | null = null;
  let transient = false;
  const attempt = (await runs.start(runId))?.attempt;
  if (attempt === undefined) {
    // Ended before this attempt began (cancelled while its job waited): nothing to do.
    const ended = await runs.get(productId, runId);
    return {
      status: ended?.status === "cancelled" ? "cancelled" : "failed",
      reason: ended?.reason ?? null,
      outputs: [],
    };
  }
  const params = (await runs.get(productId, runId))?.params ?? null;
  const control = new RunControl(runs, runId, limits.cancelPollMs, worker);
  let retries: PipelineRetries = defaultPipelineRetries;
  const columns: Record<string, { name: string; type?: string | undefined }[]> = {};
  const lineage: Record<string, ColumnLineage | undefined> = {};
  const lineageInputs: Record<string, Record<string, LineageTable>> = {};
  let sqlRun = "";
  if (attempt === 1) {
    const started = lineageEvent({ eventType: "START", productId, runId, at: new Date(), sql: "" });
    await db
      .transaction(async (tx) => {
        await publishEvent(
          tx,
          {
            type: "lineage.run",
            subject: productId,
            actor: `pipeline:${productId}`,
            payload: started,
          },
          { owners: [productId] },
        );
        if (limits.lineageUrl) await queueLineageDelivery(db, tx, started);
      })
      .catch(() => {});
  }
  try {
    const product = await new ProductRepository(db).get(productId);
    if (!product) throw new NotFoundError(`no data product "${productId}"`);
    const declared = await currentPipeline(db, productId);
    if (!declared) throw new RunFailed(`version ${product.version} of ${productId} has no pipeline (pipeline.yaml)`);
    if (!product.team) throw new RunFailed(`${productId} has no owner team, and a pipeline reads as its owner team`);
    const principal = pipelinePrincipal(productId, product.team);
    // The pipeline may have changed since the backfill was asked for: without a partition column
    // the version would hold the range alone, so such a backfill fails here too.
    const unpartitioned = params
      ? declared.pipeline.outputs.filter((o) => !o.partition || o.steps.some((s) => s.kind === "command"))
      : [];
    if (unpartitioned.length > 0)
      throw new RunFailed(
        `a backfill replaces a date range of each output, and output ${unpartitioned.map((o) => o.port).join(", ")} of version ${product.version} of ${productId} declares no partition column (partition: { column }, SQL steps only); nothing was built`,
      );
    retries = declared.pipeline.retries;
    const runLimit = runLimits(limits, declared.pipeline.limits);
    control.start(runLimit.timeoutMs);
    await log(
      "info",
      `run of ${productId} ${product.version}${attempt > 1 ? `, attempt ${attempt} of ${retries.attempts}` : ""}: ${declared.pipeline.outputs.length} output(s)${params ? `, a backfill of ${params.from} to ${params.to}` : ""}, reading as team ${product.team}; limits: memory ${runLimit.memoryLimit}, ${runLimit.threads} thread(s), ${Math.round(runLimit.timeoutMs / 1000)} s${runLimit.capped.length ? ` (lowered to the server's: ${runLimit.capped.join(", ")})` : ""}`,
    );
    for (const output of declared.pipeline.outputs) {
      control.check();
      const result: PipelineOutputResult = {
        port: output.port,
        dataset: null,
        version: null,
        published: false,
        previous: null,
        rowsIn: {},
        rowsOut: 0,
        bytesOut: 0,
        tests: null,
        inputs: [],
      };
      outputs.push(result);
      const command = output.steps.find((s): s is CommandStep => s.kind === "command");
      if (command && !limits.commands.includes(command.command[0] as string))
        throw new RunFailed(
          `output ${output.port}: step "${command.name}" runs ${command.command[0]}, which this server does not allow; an operator allows programs with QUANTA_PIPELINE_COMMANDS (none by default: a command runs with the server's rights)`,
        );
      // Inputs through the mesh: one planned read per input port, refused without an agreement.
      const { inputs, plans } = await planInputs(db, locator, {
        inputPorts: declared.inputPorts,
        reads: output.reads,
        principal,
        team: product.team,
        result,
        files: command !== undefined,
      });
      result.bytesIn = await bytesRead(plans);
      const port = await findPort(db, productId, output.port, ["output"]);
      const pc = await portContract(db, productId, port);
      const dataset = datasetOf(pc, output.dataset);
      result.dataset = dataset;
      columns[port.name] = objs(objs(pc.contract.schema).find((o) => str(o.name) === dataset)?.properties).flatMap(
        (p) => {
          const name = str(p.name);
          return name ? [{ name, type: str(p.logicalType) }] : [];
        },
      );
      if (!command) lineage[port.name] = await lineageOf(db, port.name, output.steps, inputs, plans, log);
      lineageInputs[port.name] = lineageTables(output.reads, plans);
      sqlRun = [sqlRun, ...output.steps.map((s) => (s.kind === "sql" ? s.sql : s.command.join(" ")))]
        .filter(Boolean)
        .join(";\n");
      const object = schemaObjects(pc.contract).find((o) => o.name === dataset) ?? { name: dataset };
      const previous = await lake.current(db, productId, port.name);
      result.previous = previous?.version ?? null;
      // An append-only output reads only rows newer than what its current version holds.
      const incremental = output.incremental
        ? await incrementalStart({
            previous,
            dataset,
            port: port.name,
            column: output.incremental.watermark,
            logicalType: columns[port.name]?.find((c) => c.name === output.incremental?.watermark)?.type,
          })
        : undefined;
      if (incremental)
        await log(
          "info",
          `output ${port.name}: incremental, reading rows with ${incremental.column} after ${incremental.value ?? "the beginning"}`,
        );
      const staged = await lake.stage(db, {
        productId,
        port: port.name,
        source: "pipeline",
        createdBy: principal.name,
      });
      result.version = staged.row.version;
      await log(
        "info",
        `output ${port.name}: staged version ${staged.row.version} (current: ${result.previous ?? "none"})`,
      );
      const file = await lake.file(staged, dataset, `${object.physicalName ?? dataset}.parquet`);
      let built: BuiltStep[] = [];
      const recordSteps = async () => {
        for (const [i, s] of built.entries())
          await runs.addStep(runId, stepRecord(port.name, i, s, output.steps[i]?.kind ?? "sql"));
        for (const [i, s] of output.steps.slice(built.length).entries())
          await runs.addStep(runId, {
            port: port.name,
            position: built.length + i,
            name: s.name,
            kind: s.kind,
            sql: s.kind === "sql" ? s.sql : null,
            status: "skipped",
            startedAt: null,
            ms: null,
            rowsOut: null,
            error: null,
          });
      };
      try {
        if (command) {
          const ran = await runCommandStep(
            locator,
            runId,
            command,
            inputs,
            file,
            dataset,
            { buildTimeoutMs: limits.buildTimeoutMs, signal: control.signal, remainingMs: () => control.remainingMs() },
            (line) => log("info", line),
          );
          built = [ran.step];
          result.rowsIn = ran.rowsIn;
          if (ran.step.status === "failed")
            throw new BuildFailed(ran.step.error ?? "the command failed", built, ran.rowsIn, "command-failed");
          result.rowsOut = ran.step.rows;
        } else {
          // In DuckDB, or in PostgreSQL when every input is a table there (ADR 0030).
          const build = await buildPipelineOutput({
            inputs: output.reads.map((port, i) => ({ port, plan: plans[i] as ReadPlan })),
            steps: output.steps.flatMap((s) =>
              s.kind === "sql" ? [{ name: s.name, sql: withWatermark(withRange(s.sql, params), incremental) }] : [],
            ),
            outputFile: file,
            tempDir: locator.tempDir(),
            timeoutMs: Math.min(limits.buildTimeoutMs, control.remainingMs()),
            threads: runLimit.threads,
            memoryLimit: runLimit.memoryLimit,
            // An append's watermark is written in DuckDB's SQL: its inputs are read into DuckDB.
            engine: output.engine ?? (output.incremental ? "duckdb" : undefined),
            signal: control.signal,
          });
          await log("info", `output ${port.name}: built in ${build.engine}`);
          built = build.steps;
          result.rowsIn = build.rowsIn;
          result.rowsOut = build.rowsOut;
        }
      } catch (e) {
        if (e instanceof BuildFailed) {
          built = e.steps;
          result.rowsIn = e.rowsIn;
        }
        await recordSteps();
        await lake.discard(db, staged, (e as Error).message);
        throw buildFailure(port.name, e, runLimit, limits);
      }
      await recordSteps();
      await discardIfStopped(db, lake, staged, control);
      for (const [i, plan] of plans.entries())
        await plan.audit({
          rows: Object.entries(result.rowsIn)
            .filter(([k]) => k.startsWith(`${output.reads[i]}.`))
            .reduce((n, [, v]) => n + v, 0),
          reason: `pipeline run ${runId} of ${productId}`,
          sql: output.steps.map((s) => (s.kind === "sql" ? s.sql : "")).join(";\n"),
        });
      result.bytesOut = (await stat(file)).size;
      // A backfill's version: the previous one outside the range, and this run's rows inside it.
      const backfill =
        params && output.partition
          ? await backfillDataset({
              lake,
              staged,
              previous: await lake.current(db, productId, port.name),
              port: port.name,
              dataset,
              column: output.partition.column,
              params,
              file,
            }).catch(async (e: unknown) => {
              await lake.discard(db, staged, (e as Error).message);
              throw e;
            })
          : undefined;
      if (incremental && result.rowsOut === 0) {
        // Nothing newer upstream: no version to add, the current one stays.
        await lake.discard(db, staged, "no rows newer than the watermark");
        result.version = null;
        await log(
          "info",
          `output ${port.name}: no rows with ${incremental.column} after ${incremental.value ?? "the beginning"}; version ${result.previous ?? "none"} stays current`,
        );
        continue;
      }
      const appended = incremental
        ? await appendedDataset({ lake, start: incremental, port: port.name, file, rows: result.rowsOut }).catch(
            async (e: unknown) => {
              await lake.discard(db, staged, (e as Error).message);
              throw e;
            },
          )
        : undefined;
      if (backfill)
        await log(
          "info",
          `output ${port.name}: backfill of ${params?.from} to ${params?.to}: ${backfill.kept} file(s) of version ${result.previous} kept, ${backfill.replaced} replaced, ${backfill.rows} row(s) in the new version`,
        );
      await log(
        "info",
        `output ${port.name}: ${result.rowsOut} row(s), ${result.bytesOut} bytes written; testing contract ${pc.contractId} ${pc.contractVersion}`,
      );
      // A refused output is an incident of the product's, as a refused upload is (observability/landing-refused.ts).
      const refusal = {
        productId,
        port: port.name,
        dataset,
        source: "pipeline" as const,
        runId,
        contract: pc.contract,
      };
      const tested = await testStagedFile(
        { contract: pc, dataset, object, file, format: "parquet", baseDir: staged.dir },
        limits,
      ).catch(async (e: unknown) => {
        await keepFailed(db, lake, staged, (e as Error).message);
        await reportRefusal(db, { ...refusal, version: staged.row.version }, e);
        throw new RunFailed(
          `output ${port.name}: version ${staged.row.version} failed its contract: ${(e as Error).message}`,
        );
      });
      await discardIfStopped(db, lake, staged, control);
      result.tests = { status: tested.run.result, checks: tested.checks };
      if (command) result.rowsOut = tested.rows;
      if (tested.run.result === "failed" || tested.run.result === "error") {
        const bad = tested.checks.filter((c) => c.status === "failed" || c.status === "error");
        const why = `version ${staged.row.version} of port ${port.name} failed ${bad.length} of ${tested.checks.length} check(s) of contract ${pc.contractId} ${pc.contractVersion} (${bad
          .slice(0, 3)
          .map((c) => `${c.checkId}${c.reason ? `: ${c.reason}` : ""}`)
          .join("; ")}); version ${result.previous ?? "none"} stays current`;
        await keepFailed(db, lake, staged, why);
        await landingRefused(db, { ...refusal, version: staged.row.version, checks: tested.checks }).catch(() => {});
        throw new RunFailed(why);
      }
      const rows = tested.rows;
      // The version's files: the run's alone, or with the previous version's (a backfill, an append).
      const pieces = backfill ?? appended;
      // Blocking `on: data` policies judge the tested version before it becomes current.
      try {
        await judgeData(
          db,
          productId,
          policyData({
            port: port.name,
            dataset,
            version: staged.row.version,
            source: "pipeline",
            // The version's size: a backfill's or an append's includes the files it keeps.
            rows: pieces?.rows ?? rows,
            bytes: pieces?.bytes ?? result.bytesOut,
            run: tested.run,
          }),
          principal.name,
        );
      } catch (e) {
        const why = `version ${staged.row.version} of port ${port.name}: ${(e as Error).message}; version ${result.previous ?? "none"} stays current`;
        await keepFailed(db, lake, staged, why);
        throw new RunFailed(why);
      }
      await db
        .transaction(async (tx) => {
          // The run's row, locked: a cancel request either came first (nothing is published) or waits for this.
          const cancelledBy = await new PipelineRunStore(tx).cancelRequest(runId, true);
          if (cancelledBy) {
            control.cancel(cancelledBy);
            throw new RunFailed(`cancelled by ${cancelledBy}`);
          }
          // Still this attempt's run: a worker that was stopped, or lost its job to another, publishes nothing.
          const { rows: mine } = await tx.query<{ status: string; attempt: number }>(
            "SELECT status, attempt FROM pipeline_runs WHERE id = $1",
            [runId],
          );
          if (control.signal.aborted || mine[0]?.status !== "running" || mine[0]?.attempt !== attempt)
            throw new RunFailed(
              `attempt ${attempt} of run ${runId} no longer holds the run (${control.signal.aborted ? "stopped" : `now ${mine[0]?.status ?? "gone"}, attempt ${mine[0]?.attempt ?? "?"}`}); nothing was published`,
            );
          const made = await lake.versions.makeCurrent(tx, staged.row, (current) => [
            ...current.filter((d) => d.name !== dataset),
            {
              name: dataset,
              format: "parquet",
              ...(pieces
                ? { files: pieces.files, rows: pieces.rows, bytes: pieces.bytes }
                : { files: [lake.relative(file)], rows, bytes: result.bytesOut }),
            },
          ]);
          result.previous = made.previous;
          await publishEvent(
            tx,
            {
              type: "port.version.published",
              subject: productId,
              actor: principal.name,
              payload: {
                port: port.name,
                dataset,
                version: made.version,
                previous: made.previous,
                rows,
                source: "pipeline",
                run: runId,
              },
            },
            { owners: [productId], consumersOf: [productId] },
          );
        })
        .catch(async (e: unknown) => {
          await lake.discard(db, staged, (e as Error).message);
          throw e;
        });
      // Only once committed: a rolled-back publish is no new version, and triggers nothing.
      result.published = true;
      await log("info", `output ${port.name}: version ${staged.row.version} passed its tests and is current`);
    }
  } catch (e) {
    reason = e instanceof RunFailed || e instanceof QuantaError ? e.message : `the run broke: ${(e as Error).message}`;
    transient = e instanceof RunFailed ? e.transient : !(e instanceof QuantaError);
    if (control.signal.aborted) {
      reason = (control.signal.reason as Error).message;
      transient = false;
    }
    await log(control.cancelledBy ? "warning" : "error", reason);
  } finally {
    control.close();
  }
  if (control.released && reason !== null) {
    // Its job went back to the queue: the next worker's start records this attempt and runs it again.
    return { status: "retrying", reason, outputs, retryInMs: 0 };
  }
  if (reason !== null && transient && attempt < retries.attempts) {
    const retryInMs = retryDelayMs(retries, attempt);
    const retryAt = new Date(Date.now() + retryInMs);
    await runs.retry(runId, { reason, retryAt, outputs }, attempt);
    await log(
      "warning",
      `attempt ${attempt} of ${retries.attempts} failed for a transient reason; attempt ${attempt + 1} in ${Math.round(retryInMs / 1000)} s`,
    );
    await publishEvent(
      db,
      {
        type: "pipeline.retrying",
        subject: productId,
        actor: `pipeline:${productId}`,
        payload: { run: runId, attempt, reason, retryAt: retryAt.toISOString() },
      },
      { owners: [productId] },
    ).catch(() => {});
    return { status: "retrying", reason, outputs, retryInMs };
  }
  const status = reason === null ? "succeeded" : control.cancelledBy ? "cancelled" : "failed";
  await db.transaction(async (tx) => {
    await new PipelineRunStore(tx).finish(runId, { status, reason, outputs }, attempt);
    const ended = lineageEvent({
      eventType: status === "succeeded" ? "COMPLETE" : status === "cancelled" ? "ABORT" : "FAIL",
      productId,
      runId,
      at: new Date(),
      sql: sqlRun,
      outputs,
      columns,
      columnLineage: Object.fromEntries(
        Object.entries(lineage).filter((e): e is [string, ColumnLineage] => e[1] !== undefined),
      ),
      reason,
    });
    await publishEvent(
      tx,
      {
        type: "lineage.run",
        subject: productId,
        actor: `pipeline:${productId}`,
        payload: ended,
      },
      { owners: [productId] },
    );
    // The column edges of the outputs it published, into the lineage graph (ADR 0033).
    await recordPipelineLineage(tx, productId, runId, outputs, lineage, lineageInputs);
    if (limits.lineageUrl) await queueLineageDelivery(db, tx, ended);
    await publishEvent(
      tx,
      {
        type: `pipeline.${status}`,
        subject: productId,
        actor: `pipeline:${productId}`,
        payload: {
          run: runId,
          reason,
          attempt,
          ...(control.cancelledBy ? { cancelledBy: control.cancelledBy } : {}),
          outputs: outputs.map((o) => ({
            port: o.port,
            version: o.version,
            published: o.published,
            previous: o.previous,
          })),
        },
      },
      { owners: [productId] },
    );
  });
  // Downstream pipelines reading a port this run made current run next (debounced).
  for (const o of outputs.filter((x) => x.published))
    await new PipelineService(db, lake)
      .triggerDownstream(productId, o.port)
      .catch((e: unknown) => log("warning", `downstream runs of port ${o.port} not queued: ${(e as Error).message}`));
  return { status, reason, outputs };
}

/** The run was told to stop while its output was written or tested: the staged version goes. */
async function discardIfStopped(db: Database, lake: Lake, staged: StagedVersion, control: RunControl): Promise<void> {
  if (!control.signal.aborted) return;
  const why = (control.signal.reason as Error).message;
  await lake.discard(db, staged, why);
  throw new RunFailed(why);
}

/**
 * Why a build failed, as the run's reason: a failure before any step ran could not read the inputs
 * (transient: worth another attempt); running out of memory names the limit and where it is set.
 */
function buildFailure(port: string, e: unknown, runLimit: RunLimits, server: PipelineRunLimits): RunFailed {
  const message = (e as Error).message;
  const code = e instanceof QuantaError ? e.code : undefined;
  const unreadInputs =
    code === "dataset-unreadable" ||
    code === "inputs-failed" ||
    code === "engine-unreachable" ||
    code === "engine-busy" ||
    (e instanceof BuildFailed && code === "build-failed" && e.steps.length === 0);
  const memory = /out of memory/i.test(message)
    ? `; the run ran out of its DuckDB memory limit of ${runLimit.memoryLimit} (limits.memory in pipeline.yaml; this server allows at most ${server.memoryLimit}, QUANTA_PIPELINE_MEMORY)`
    : "";
  return new RunFailed(`output ${port}: ${message}${memory}`, unreadInputs);
}

/**
 * Which input columns feed each output column, from the steps' SQL (ADR 0031): the inputs'
 * columns from the views of file-served ones, else from their contracts. A record of the run,
 * never a reason for it to fail: a problem is a warning in the log.
 */
async function lineageOf(
  db: Database,
  port: string,
  steps: readonly PipelineStep[],
  views: readonly SandboxDataset[],
  plans: readonly ReadPlan[],
  log: (level: "info" | "warning" | "error", message: string) => Promise<unknown>,
): Promise<ColumnLineage | undefined> {
  const sql = steps.flatMap((s) => (s.kind === "sql" ? [{ name: s.name, sql: s.sql }] : []));
  try {
    const fromViews = await lineageInputsOf(views);
    const tables: Record<string, readonly string[]> = { ...fromViews.tables };
    const masked: Record<string, readonly string[]> = { ...(fromViews.masked ?? {}) };
    // Inputs that are tables in a database: their columns as the upstream contract declares them.
    for (const plan of plans) {
      if (plan.datasets.every((d) => d.source.kind === "files")) continue;
      const upstream = await portContract(
        db,
        plan.productId,
        await findPort(db, plan.productId, plan.port, ["output"]),
      );
      for (const d of plan.datasets) {
        if (d.source.kind === "files") continue;
        const object = objs(upstream.contract.schema).find((o) => str(o.name) === d.name);
        const cols = objs(object?.properties).flatMap((p) => str(p.physicalName) ?? str(p.name) ?? []);
        for (const n of [`${plan.port}.${d.name}`, ...(plan.datasets.length === 1 ? [plan.port] : [])]) {
          tables[n] = cols;
          masked[n] = d.masked;
        }
      }
    }
    const found = await columnLineage(sql, { ...fromViews, tables, masked });
    for (const i of found.issues)
      await log("warning", `output ${port}: column lineage, step "${i.statement}": ${i.message}`);
    return found;
  } catch (e) {
    await log("warning", `output ${port}: no column lineage: ${(e as Error).message}`);
    return undefined;
  }
}

/** Bytes of the files the inputs are read from; null when one is a table in a database or a glob. */
async function bytesRead(plans: readonly ReadPlan[]): Promise<number | null> {
  let bytes = 0;
  for (const d of plans.flatMap((p) => p.datasets)) {
    if (d.source.kind !== "files") return null;
    for (const f of d.source.files) {
      const size = /[*?[{]/.test(f) ? undefined : (await stat(f).catch(() => undefined))?.size;
      if (size === undefined) return null;
      bytes += size;
    }
  }
  return bytes;
}

/** A version whose tests failed: `failed` with the reason, its files kept for inspection. */
async function keepFailed(db: Database, lake: Lake, staged: StagedVersion, reason: string): Promise<void> {
  await lake.versions.fail(db, staged.row.id, reason).catch(() => false);
}

function stepRecord(port: string, position: number, s: BuiltStep, kind: "sql" | "command"): PipelineStepRecord {
  return {
    port,
    position,
    name: s.name,
    kind,
    sql: s.sql,
    status: s.status,
    startedAt: s.startedAt,
    ms: s.ms,
    rowsOut: s.status === "passed" ? s.rows : null,
    error: s.error,
  };
}
