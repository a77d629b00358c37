import { randomBytes } from "node:crypto";
import { copyFile, mkdir, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type CommandStep, NotFoundError, QuantaError } from "@quanta/core";
import { objs } from "@quanta/core/read";
import { BuildFailed, type BuiltStep, buildOutput, exportInputs, type SandboxDataset } from "@quanta/engine-duckdb";
import { planRead, type ReadPlan } from "../access/read-access.js";
import { EventLog } from "../audit/event-log.js";
import type { DataLocator } from "../harness/data-locator.js";
import { datasetOf } from "../harness/ingest/ingest-batch.js";
import { findPort, portContract, schemaObjects } from "../harness/port-data.js";
import type { Principal } from "../identity/principal.js";
import type { Lake, StagedVersion } from "../lake/lake.js";
import { testStagedFile } from "../lake/publish-data.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import { str } from "../registry/read.js";
import type { Database } from "../storage/database.js";
import { queueLineageDelivery } from "./lineage-delivery.js";
import { lineageEvent } from "./openlineage.js";
import { currentPipeline } from "./pipeline-declaration.js";
import type { PipelineOutputResult, PipelineStepRecord } from "./pipeline-run-schema.js";
import { PipelineRunStore } from "./pipeline-run-store.js";
import { PipelineService } from "./pipeline-service.js";
import { runCommand } from "./run-command.js";

export interface PipelineRunLimits {
  /** Where OpenLineage events are sent (`QUANTA_OPENLINEAGE_URL`); undefined: only stored. */
  lineageUrl?: string | undefined;
  /** The programs command steps may run (`QUANTA_PIPELINE_COMMANDS`); none by default. */
  commands: readonly string[];
  /** The whole build of one output (every step), in DuckDB. */
  buildTimeoutMs: number;
  checkTimeoutMs: number;
  runTimeoutMs: number;
  threads: number;
  memoryLimit: string;
}

export const defaultPipelineRunLimits: PipelineRunLimits = {
  commands: [],
  buildTimeoutMs: 1_800_000,
  checkTimeoutMs: 300_000,
  runTimeoutMs: 1_800_000,
  threads: 2,
  memoryLimit: "2GB",
};

/** A run that ended without a new current version for some output: why, in one line. */
class RunFailed extends Error {}

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
 */
export async function runPipeline(
  db: Database,
  locator: DataLocator,
  runId: number,
  productId: string,
  limits: PipelineRunLimits = defaultPipelineRunLimits,
): Promise<{ status: "succeeded" | "failed"; reason: string | null; outputs: PipelineOutputResult[] }> {
  const runs = new PipelineRunStore(db);
  const log = (level: "info" | "warning" | "error", message: string) => runs.log(runId, level, message).catch(() => {});
  const outputs: PipelineOutputResult[] = [];
  const lake = locator.lake;
  let reason: string | null = null;
  await runs.start(runId);
  const columns: Record<string, { name: string; type?: string | undefined }[]> = {};
  let sqlRun = "";
  const started = lineageEvent({ eventType: "START", productId, runId, at: new Date(), sql: "" });
  await db
    .transaction(async (tx) => {
      await new EventLog(tx).append({
        type: "lineage.run",
        subject: productId,
        actor: `pipeline:${productId}`,
        payload: started,
      });
      if (limits.lineageUrl) await queueLineageDelivery(db, tx, started);
    })
    .catch(() => {});
  try {
    const product = await new ProductRepository(db).get(productId);
    if (!product) throw new NotFoundError(`no data product "${productId}"`);
    const declared = await currentPipeline(db, productId);
    if (!declared) throw new RunFailed(`version ${product.version} of ${productId} has no pipeline (pipeline.yaml)`);
    if (!product.team) throw new RunFailed(`${productId} has no owner team, and a pipeline reads as its owner team`);
    const principal = pipelinePrincipal(productId, product.team);
    await log(
      "info",
      `run of ${productId} ${product.version}: ${declared.pipeline.outputs.length} output(s), reading as team ${product.team}`,
    );
    for (const output of declared.pipeline.outputs) {
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
      const inputs: SandboxDataset[] = [];
      const plans: ReadPlan[] = [];
      for (const name of output.reads) {
        const port = declared.inputPorts.find((p) => p.name === name);
        const upstream = await upstreamOf(db, name, port?.contractId ?? null);
        let plan: ReadPlan;
        try {
          plan = await planRead(db, locator, { ...upstream, action: "pipeline" }, principal);
        } catch (e) {
          throw new RunFailed(
            `input port ${name} (${upstream.productId} port ${upstream.port}): ${(e as Error).message}`,
          );
        }
        if (plan.basis === "public")
          throw new RunFailed(
            `input port ${name} (${upstream.productId} port ${upstream.port}) is public, but a pipeline reads only under an active data usage agreement of team ${product.team}; request one: POST /api/access-requests`,
          );
        if (plan.source.engine.name !== "duckdb")
          throw new RunFailed(
            `input port ${name} is served by ${plan.source.engine.name}; pipelines read DuckDB-served ports (files and the storage Quanta owns) so far`,
          );
        plans.push(plan);
        result.inputs.push({
          port: name,
          product: plan.productId,
          upstreamPort: plan.port,
          basis: plan.basis,
          agreementId: plan.agreement?.id ?? null,
          contractVersion: plan.contractVersion,
          masked: [...new Set(plan.datasets.flatMap((d) => d.masked))],
          rowFilters: [...new Set(plan.datasets.flatMap((d) => d.rowFilters))],
        });
        for (const d of plan.datasets) {
          if (d.source.kind !== "files")
            throw new RunFailed(`input port ${name}: dataset ${d.name} is a table, and pipelines read files so far`);
          const view = { files: d.source.files, format: d.source.format, masked: d.masked, rowFilters: d.rowFilters };
          inputs.push({ name: d.name, schema: name, ...view });
          // A port of one dataset reads by the port's name alone too.
          if (plan.datasets.length === 1) inputs.push({ name, ...view });
        }
      }
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
      sqlRun = [sqlRun, ...output.steps.map((s) => (s.kind === "sql" ? s.sql : s.command.join(" ")))]
        .filter(Boolean)
        .join(";\n");
      const object = schemaObjects(pc.contract).find((o) => o.name === dataset) ?? { name: dataset };
      result.previous = (await lake.current(db, productId, port.name))?.version ?? null;
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
          const ran = await runCommandStep(locator, runId, command, inputs, file, dataset, limits, (line) =>
            log("info", line),
          );
          built = [ran.step];
          result.rowsIn = ran.rowsIn;
          if (ran.step.status === "failed")
            throw new BuildFailed(ran.step.error ?? "the command failed", built, ran.rowsIn, "command-failed");
          result.rowsOut = ran.step.rows;
        } else {
          const build = await buildOutput({
            inputs,
            steps: output.steps.flatMap((s) => (s.kind === "sql" ? [{ name: s.name, sql: s.sql }] : [])),
            outputFile: file,
            outputDir: dirname(file),
            timeoutMs: limits.buildTimeoutMs,
            threads: limits.threads,
            memoryLimit: limits.memoryLimit,
          });
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
        throw new RunFailed(`output ${port.name}: ${(e as Error).message}`);
      }
      await recordSteps();
      for (const [i, plan] of plans.entries())
        await plan.audit({
          rows: Object.entries(result.rowsIn)
            .filter(([k]) => k.startsWith(`${output.reads[i]}.`))
            .reduce((n, [, v]) => n + v, 0),
          reason: `pipeline run ${runId} of ${productId}`,
          sql: output.steps.map((s) => (s.kind === "sql" ? s.sql : "")).join(";\n"),
        });
      result.bytesOut = (await stat(file)).size;
      await log(
        "info",
        `output ${port.name}: ${result.rowsOut} row(s), ${result.bytesOut} bytes written; testing contract ${pc.contractId} ${pc.contractVersion}`,
      );
      const tested = await testStagedFile(
        { contract: pc, dataset, object, file, format: "parquet", baseDir: staged.dir },
        limits,
      ).catch(async (e: unknown) => {
        await keepFailed(db, lake, staged, (e as Error).message);
        throw new RunFailed(
          `output ${port.name}: version ${staged.row.version} failed its contract: ${(e as Error).message}`,
        );
      });
      result.tests = { status: tested.run.result, checks: tested.checks };
      if (command) result.rowsOut = tested.rows;
      if (tested.run.result === "failed" || tested.run.result === "error") {
        const bad = tested.checks.filter((c) => c.status === "failed" || c.status === "error");
        const why = `version ${staged.row.version} of port ${port.name} failed ${bad.length} of ${tested.checks.length} check(s) of contract ${pc.contractId} ${pc.contractVersion} (${bad
          .slice(0, 3)
          .map((c) => `${c.checkId}${c.reason ? `: ${c.reason}` : ""}`)
          .join("; ")}); version ${result.previous ?? "none"} stays current`;
        await keepFailed(db, lake, staged, why);
        throw new RunFailed(why);
      }
      const rows = tested.rows;
      await db.transaction(async (tx) => {
        const made = await lake.versions.makeCurrent(tx, staged.row, (current) => [
          ...current.filter((d) => d.name !== dataset),
          { name: dataset, format: "parquet", files: [lake.relative(file)], rows, bytes: result.bytesOut },
        ]);
        result.published = true;
        result.previous = made.previous;
        await new EventLog(tx).append({
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
        });
      });
      await log("info", `output ${port.name}: version ${staged.row.version} passed its tests and is current`);
    }
  } catch (e) {
    reason = e instanceof RunFailed || e instanceof QuantaError ? e.message : `the run broke: ${(e as Error).message}`;
    await log("error", reason);
  }
  const status = reason === null ? "succeeded" : "failed";
  await db.transaction(async (tx) => {
    await new PipelineRunStore(tx).finish(runId, { status, reason, outputs });
    const ended = lineageEvent({
      eventType: status === "succeeded" ? "COMPLETE" : "FAIL",
      productId,
      runId,
      at: new Date(),
      sql: sqlRun,
      outputs,
      columns,
      reason,
    });
    await new EventLog(tx).append({
      type: "lineage.run",
      subject: productId,
      actor: `pipeline:${productId}`,
      payload: ended,
    });
    if (limits.lineageUrl) await queueLineageDelivery(db, tx, ended);
    await new EventLog(tx).append({
      type: status === "succeeded" ? "pipeline.succeeded" : "pipeline.failed",
      subject: productId,
      actor: `pipeline:${productId}`,
      payload: {
        run: runId,
        reason,
        outputs: outputs.map((o) => ({
          port: o.port,
          version: o.version,
          published: o.published,
          previous: o.previous,
        })),
      },
    });
  });
  // Downstream pipelines reading a port this run made current run next (debounced).
  for (const o of outputs.filter((x) => x.published))
    await new PipelineService(db, lake)
      .triggerDownstream(productId, o.port)
      .catch((e: unknown) => log("warning", `downstream runs of port ${o.port} not queued: ${(e as Error).message}`));
  return { status, reason, outputs };
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

/** The product and output port an input port reads: the one whose contract it names. */
async function upstreamOf(
  db: Database,
  inputPort: string,
  contractId: string | null,
): Promise<{ productId: string; port: string }> {
  if (!contractId)
    throw new RunFailed(
      `input port ${inputPort} names no contract (contractId), so the run cannot tell which product it reads`,
    );
  const owner = await new ContractRepository(db).owner(contractId);
  const product = owner ? await new ProductRepository(db).get(owner) : undefined;
  const port = product?.ports.find((p) => p.direction === "output" && p.contractId === contractId);
  if (!product || !port)
    throw new RunFailed(
      `input port ${inputPort} reads contract ${contractId}, which no output port on this platform serves`,
    );
  return { productId: product.id, port: port.name };
}

/** At most this many of a command's lines go to the run's log. */
const maxCommandLines = 1000;

/**
 * A command step: the inputs as the agreement lets the team read them (masked, filtered) are
 * written as Parquet to `inputs/<port>/<dataset>.parquet` of a fresh working directory, the
 * program runs there (no shell, its own environment: `QUANTA_INPUTS`, `QUANTA_INPUT_<PORT>`,
 * `QUANTA_OUTPUT`, `PATH`) within its time limit, and `output/<dataset>.parquet` becomes the
 * staged version's file. The working directory is removed afterwards.
 */
async function runCommandStep(
  locator: DataLocator,
  runId: number,
  step: CommandStep,
  inputs: readonly SandboxDataset[],
  file: string,
  dataset: string,
  limits: PipelineRunLimits,
  onLine: (line: string) => void,
): Promise<{ step: BuiltStep; rowsIn: Record<string, number> }> {
  const work = join(locator.tempDir(), `pipeline-${runId}-${randomBytes(4).toString("hex")}`);
  const startedAt = new Date().toISOString();
  const failed = (error: string, ms = 0): BuiltStep => ({
    name: step.name,
    sql: JSON.stringify(step.command),
    startedAt,
    ms,
    rows: 0,
    status: "failed",
    error,
  });
  try {
    await mkdir(join(work, "output"), { recursive: true });
    const exported = await exportInputs({ inputs, dir: join(work, "inputs"), timeoutMs: limits.buildTimeoutMs });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: work,
      LANG: "C.UTF-8",
      QUANTA_INPUTS: join(work, "inputs"),
      QUANTA_OUTPUT: join(work, "output"),
    };
    for (const d of inputs)
      if (d.schema)
        env[`QUANTA_INPUT_${d.schema.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`] = join(work, "inputs", d.schema);
    let lines = 0;
    const ran = await runCommand({
      argv: step.command,
      cwd: work,
      env,
      timeoutMs: step.timeoutSeconds * 1000,
      onLine: (stream, line) => {
        if (++lines <= maxCommandLines) onLine(`${step.name} ${stream}: ${line.slice(0, 2000)}`);
        else if (lines === maxCommandLines + 1) onLine(`${step.name}: more lines than ${maxCommandLines}, not logged`);
      },
    });
    if (ran.error)
      return { step: failed(`step "${step.name}" did not start: ${ran.error}`, ran.ms), rowsIn: exported.rowsIn };
    if (ran.timedOut)
      return {
        step: failed(`step "${step.name}" was ended at its time limit of ${step.timeoutSeconds} s`, ran.ms),
        rowsIn: exported.rowsIn,
      };
    if (ran.code !== 0)
      return {
        step: failed(
          `step "${step.name}" exited with ${ran.code === null ? `signal ${ran.signal}` : `code ${ran.code}`}`,
          ran.ms,
        ),
        rowsIn: exported.rowsIn,
      };
    const produced = join(work, "output", `${dataset}.parquet`);
    if (!(await stat(produced).catch(() => undefined))?.isFile())
      return {
        step: failed(`step "${step.name}" ended without writing $QUANTA_OUTPUT/${dataset}.parquet`, ran.ms),
        rowsIn: exported.rowsIn,
      };
    await copyFile(produced, file);
    return {
      step: {
        name: step.name,
        sql: JSON.stringify(step.command),
        startedAt,
        ms: ran.ms,
        rows: 0,
        status: "passed",
        error: null,
      },
      rowsIn: exported.rowsIn,
    };
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => {});
  }
}
