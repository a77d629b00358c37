import {
  buildChecks,
  type CheckResult,
  type Connection,
  type DatasetProfile,
  type RunResult,
  runChecks,
} from "@quanta/core";
import type { DatasetSource } from "@quanta/core/engines";
import { publishEvent } from "../events/publish-event.js";
import type { DataLocator } from "../harness/data-locator.js";
import { findPort, portContract, schemaObjects } from "../harness/port-data.js";
import { type PortSource, portSource } from "../harness/port-source.js";
import { MeasurementStore } from "../observability/measurement-store.js";
import { measurementPoints } from "../observability/measurements.js";
import type { Database } from "../storage/database.js";
import { type CheckResultInput, TestRunRepository } from "../storage/repositories/test-run-repository.js";
import type { Job } from "./job-queue.js";

export const contractTestKind = "contract-test";

/** How long a contract test may take (see docs/operations.md). */
export interface ContractTestLimits {
  /** Each statement: a dataset's scan, a SQL rule, an introspection. */
  checkTimeoutMs: number;
  /** The whole run; checks not done by then end as `error`. */
  runTimeoutMs: number;
}

export const defaultContractTestLimits: ContractTestLimits = { checkTimeoutMs: 30_000, runTimeoutMs: 300_000 };

export interface ContractTestOptions {
  /** Stops the test (lease lost, server stopping): the running check is interrupted, the run abandoned. */
  signal?: AbortSignal | undefined;
  /** The job running the test: its run is tied to the job's lease, and runs it left behind are abandoned. */
  job?: Pick<Job, "id" | "lockedBy"> | undefined;
  limits?: Partial<ContractTestLimits> | undefined;
}

export interface ContractTestPayload {
  productId: string;
  port: string;
  /** What asked for the run: `schedule`, `start`, `control` … (kept in the event). */
  trigger?: string;
}

export interface ContractTestOutcome {
  runId: number;
  status: RunResult["result"];
  checks: number;
  durationMs: number;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function toStored(r: CheckResult): CheckResultInput {
  return {
    checkId: r.key,
    dataset: r.schema,
    status: r.result,
    value: r.value ?? null,
    threshold: r.threshold ?? null,
    sql: r.sql,
    reason: r.reason,
  };
}

/**
 * Tests one output port's contract against its data where it lies (the server its contract names
 * for the platform's environment, read by that server's engine: DuckDB over files, PostgreSQL in
 * PostgreSQL) and stores the run, every check result and a `contract.tested` event.
 * A port that cannot be read still gets a run: status `error` with the reason, so observe shows it.
 * Each check has a time limit, and so has the run. Aborted, the test stops its running check,
 * marks the run `abandoned` and throws.
 */
export async function runContractTest(
  db: Database,
  locator: DataLocator,
  payload: ContractTestPayload,
  options: ContractTestOptions = {},
): Promise<ContractTestOutcome> {
  const { signal, job } = options;
  const limits = { ...defaultContractTestLimits, ...options.limits };
  const port = await findPort(db, payload.productId, payload.port, ["output"]);
  const pc = await portContract(db, payload.productId, port);
  const runs = new TestRunRepository(db);
  // This worker holds the job now: a run of it still `running` was left by a worker that died.
  if (job) await runs.abandonOrphans(job.id);
  let source: PortSource | undefined;
  let located: unknown;
  try {
    source = await portSource(db, pc, locator);
  } catch (e) {
    located = e; // recorded as the run's error below
  }
  const run = await runs.start({
    productId: pc.productId,
    contractId: pc.contractId,
    contractVersion: pc.contractVersion,
    server: source?.serverId ?? "none",
    job: job?.lockedBy ? { id: job.id, worker: job.lockedBy } : undefined,
  });
  let result: RunResult;
  let connection: Connection | undefined;
  const started = Date.now();
  try {
    if (!source) throw located;
    const open = await source.engine.load();
    const sources: Record<string, DatasetSource> = {};
    for (const d of source.datasets) if (d.source.kind === "files") sources[d.name] = d.source;
    connection = await open({
      server: source.server,
      objects: schemaObjects(pc.contract),
      baseDir: source.baseDir,
      env: source.env,
      sources,
    });
    result = await runChecks(buildChecks(pc.contract), connection, { ...limits, signal, profile: true });
    // An engine without profiles still says which columns the data has: schema drift needs them.
    if (!result.profiles && result.result !== "error") {
      result = { ...result, profiles: await introspectedProfiles(connection, pc.contract, result.checks) };
    }
  } catch (e) {
    result = {
      result: "error",
      durationMs: Date.now() - started,
      checks: [
        {
          key: "server",
          name: "Server readable",
          type: "objectExists",
          dimension: "availability",
          result: "error",
          reason: source ? source.redact(message(e)) : message(e),
        },
      ],
    };
  } finally {
    await connection?.close().catch(() => {});
  }
  if (source) result = redactResult(result, source);
  if (signal?.aborted) {
    const why = message(signal.reason ?? "aborted");
    await runs.abandon(run.id, `stopped before it finished: ${why}`).catch(() => {});
    throw new Error(`the contract test was stopped: ${why}`);
  }
  await db.transaction(async (tx) => {
    await new TestRunRepository(tx).finish(run.id, result.result, result.checks.map(toStored));
    // Measurements and profiles live and die with the run they came from.
    await new MeasurementStore(tx).record({
      runId: run.id,
      productId: pc.productId,
      port: pc.port.name,
      at: new Date(started),
      status: result.result,
      profiles: result.profiles ?? null,
      points: measurementPoints(result.checks, result.profiles),
    });
    const counts: Record<string, number> = {};
    for (const c of result.checks) counts[c.result] = (counts[c.result] ?? 0) + 1;
    await publishEvent(
      tx,
      {
        type: "contract.tested",
        subject: pc.productId,
        actor: "quanta-scheduler",
        payload: {
          port: pc.port.name,
          contract: pc.contractId,
          version: pc.contractVersion,
          runId: run.id,
          status: result.result,
          checks: counts,
          durationMs: result.durationMs,
          trigger: payload.trigger ?? "schedule",
        },
      },
      { owners: [pc.productId] },
    );
  });
  return { runId: run.id, status: result.result, checks: result.checks.length, durationMs: result.durationMs };
}

/**
 * Profiles holding only what introspection says (the columns and their types) and the row count
 * checks': for engines whose runner computes no profile. Never throws: a dataset it cannot
 * introspect gets the reason.
 */
async function introspectedProfiles(
  connection: Connection,
  contract: Parameters<typeof schemaObjects>[0],
  checks: readonly CheckResult[],
): Promise<DatasetProfile[]> {
  const out: DatasetProfile[] = [];
  for (const o of schemaObjects(contract)) {
    const count = checks.find((c) => c.type === "rowCount" && c.schema === o.name && !c.property);
    const rows = typeof count?.value === "number" ? count.value : null;
    try {
      const columns = (await connection.introspect(o.name)) ?? [];
      out.push({
        dataset: o.name,
        rows,
        columns: columns.map((c) => ({
          name: c.name,
          type: c.type,
          nulls: null,
          nullRate: null,
          distinct: null,
          distinctApproximate: false,
          min: null,
          max: null,
          mean: null,
          top: null,
        })),
        reason: "the engine computed no profile: columns from introspection only",
      });
    } catch (e) {
      out.push({ dataset: o.name, rows, columns: [], reason: `not introspected: ${message(e)}` });
    }
  }
  return out;
}

/** A run's reasons with the server's secrets replaced (an engine's message may quote a connection string). */
export function redactResult(result: RunResult, source: Pick<PortSource, "redact">): RunResult {
  return {
    ...result,
    checks: result.checks.map((c) => (c.reason === undefined ? c : { ...c, reason: source.redact(c.reason) })),
    // A profile's reason quotes the engine too (a failed scan, a failed introspection).
    ...(result.profiles
      ? {
          profiles: result.profiles.map((p) =>
            p.reason === undefined ? p : { ...p, reason: source.redact(p.reason) },
          ),
        }
      : {}),
  };
}
