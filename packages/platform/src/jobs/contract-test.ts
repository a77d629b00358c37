import { dirname, resolve } from "node:path";
import { buildChecks, type CheckResult, type Connection, type RunResult, runChecks } from "@quanta/core";
import { openDuckDb } from "@quanta/engine-duckdb";
import type { DataLocator } from "../harness/data-locator.js";
import { findPort, portContract, portDatasets, schemaObjects } from "../harness/port-data.js";
import type { Database } from "../storage/database.js";
import { EventLog } from "../storage/repositories/event-log.js";
import { type CheckResultInput, TestRunRepository } from "../storage/repositories/test-run-repository.js";

export const contractTestKind = "contract-test";

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
 * Tests one output port's contract against its data where it lies (DuckDB over the port's files,
 * read-only sandbox) and stores the run, every check result and a `contract.tested` event.
 * A port that cannot be read still gets a run: status `error` with the reason, so observe shows it.
 */
export async function runContractTest(
  db: Database,
  locator: DataLocator,
  payload: ContractTestPayload,
  signal?: AbortSignal,
): Promise<ContractTestOutcome> {
  const port = await findPort(db, payload.productId, payload.port, ["output"]);
  const pc = await portContract(db, payload.productId, port);
  const runs = new TestRunRepository(db);
  const run = await runs.start({
    productId: pc.productId,
    contractId: pc.contractId,
    contractVersion: pc.contractVersion,
    server: "local",
  });
  let result: RunResult;
  let connection: Connection | undefined;
  const started = Date.now();
  try {
    const { server } = portDatasets(pc, locator); // refuses paths leaving the product folder
    const baseDir = dirname(resolve(locator.rootOf(pc.productId), pc.file));
    connection = await openDuckDb({ server, objects: schemaObjects(pc.contract), baseDir });
    const open = connection;
    const onAbort = () => void open.close().catch(() => {});
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      result = await runChecks(buildChecks(pc.contract), connection);
    } finally {
      signal?.removeEventListener("abort", onAbort);
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
          reason: message(e),
        },
      ],
    };
  } finally {
    await connection?.close().catch(() => {});
  }
  if (signal?.aborted) throw new Error("the contract test was aborted (lease lost or server stopping)");
  await db.transaction(async (tx) => {
    await new TestRunRepository(tx).finish(run.id, result.result, result.checks.map(toStored));
    const counts: Record<string, number> = {};
    for (const c of result.checks) counts[c.result] = (counts[c.result] ?? 0) + 1;
    await new EventLog(tx).append({
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
    });
  });
  return { runId: run.id, status: result.result, checks: result.checks.length, durationMs: result.durationMs };
}
