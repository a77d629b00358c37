import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { DuckDbDialect, EngineError, InputError, QuantaError, UnprocessableError } from "@quanta/core";
import { ConsumerSandbox, judgeConsumerSql } from "../consume/consumer-sandbox.js";
import type { SandboxDataset } from "../consume/sandbox-dataset.js";

const dialect = new DuckDbDialect();
const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

export interface BuildStep {
  name: string;
  sql: string;
}

export interface BuildRequest {
  /** The inputs as views, with the masks and row filters of the reader's agreement. */
  inputs: readonly SandboxDataset[];
  steps: readonly BuildStep[];
  /** The Parquet file to write the last step's rows to; its folder is the only one DuckDB may write. */
  outputFile: string;
  outputDir: string;
  timeoutMs: number;
  threads?: number;
  memoryLimit?: string;
  /** Stops the build when aborted (a cancelled run): the running statement is interrupted. */
  signal?: AbortSignal;
}

export interface BuiltStep {
  name: string;
  /** The statement DuckDB ran for the step. */
  sql: string;
  startedAt: string;
  ms: number;
  rows: number;
  status: "passed" | "failed";
  error: string | null;
}

export interface BuildResult {
  /** Rows of each input view, by its name. */
  rowsIn: Record<string, number>;
  rowsOut: number;
  steps: BuiltStep[];
}

/** A step failed: the steps so far (the failed one last) travel with it. */
export class BuildFailed extends UnprocessableError {
  constructor(
    message: string,
    readonly steps: BuiltStep[],
    readonly rowsIn: Record<string, number>,
    code: string,
  ) {
    super(message, { code });
  }
}

/** Why `signal` was aborted, in words. */
const abortReason = (signal: AbortSignal) =>
  signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "the build was stopped");

const viewKey = (d: SandboxDataset) => (d.schema ? `${d.schema}.${d.name}` : d.name);

/**
 * Builds a pipeline output in a locked-down DuckDB: the inputs are views carrying the reader's
 * masks and row filters (the consumer sandbox), each step's SQL is judged on DuckDB's parse tree
 * like a consumer's (one SELECT over the inputs and the earlier steps; no files, table functions,
 * ATTACH, COPY or settings), each step becomes a temporary table (its own timing and row count),
 * and the last one is written to `outputFile` as Parquet. A timer interrupts a statement at the
 * run's time limit.
 */
export async function buildOutput(request: BuildRequest): Promise<BuildResult> {
  const sandbox = await ConsumerSandbox.open(request.inputs, {
    outputDir: request.outputDir,
    threads: request.threads ?? 2,
    memoryLimit: request.memoryLimit ?? "2GB",
  });
  const steps: BuiltStep[] = [];
  const rowsIn: Record<string, number> = {};
  const deadline = Date.now() + request.timeoutMs;
  let timedOut = false;
  let stopped: string | undefined;
  const stop = () => {
    stopped ??= abortReason(request.signal as AbortSignal);
    sandbox.conn.interrupt();
  };
  request.signal?.addEventListener("abort", stop, { once: true });
  const run = async (sql: string) => {
    if (request.signal?.aborted) {
      stopped ??= abortReason(request.signal);
      throw new Error(stopped);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      timedOut = true;
      throw new Error("time limit");
    }
    const timer = setTimeout(() => {
      timedOut = true;
      sandbox.conn.interrupt();
    }, left);
    try {
      return await sandbox.conn.runAndReadAll(sql);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    for (const d of request.inputs) {
      const reader = await run(`SELECT count(*) FROM ${viewName(d)}`);
      rowsIn[viewKey(d)] = Number(reader.getRows()[0]?.[0] ?? 0);
    }
    const tables = new Set(request.inputs.map((d) => viewKey(d).toLowerCase()));
    for (const step of request.steps) {
      const startedAt = new Date().toISOString();
      const started = performance.now();
      const table = dialect.quoteIdentifier(step.name);
      const statement = `CREATE TEMP TABLE ${table} AS SELECT * FROM (\n${step.sql}\n)`;
      const record = (status: BuiltStep["status"], rows: number, error: string | null) =>
        steps.push({
          name: step.name,
          sql: statement,
          startedAt,
          ms: Math.round(performance.now() - started),
          rows,
          status,
          error,
        });
      for (const sql of [step.sql, `SELECT * FROM (\n${step.sql}\n)`]) {
        const tree = await sandbox.conn.runAndReadAll(
          `SELECT json_serialize_sql(${dialect.stringLiteral(sql)})::VARCHAR`,
        );
        const verdict = judgeConsumerSql(String(tree.getRows()[0]?.[0] ?? ""), tables);
        if (!verdict.ok) {
          const reason = `step "${step.name}" is refused: ${verdict.reason
            .replace(" in a contract rule", "")
            .replace(
              "the contract's objects",
              "the step's inputs",
            )}; a step is one SELECT over the input ports and earlier steps (${[...tables].join(", ")})`;
          record("failed", 0, reason);
          throw new BuildFailed(reason, steps, rowsIn, "sql-refused");
        }
      }
      try {
        await run(statement);
        const counted = await run(`SELECT count(*) FROM ${table}`);
        record("passed", Number(counted.getRows()[0]?.[0] ?? 0), null);
      } catch (e) {
        const reason = stopped
          ? `step "${step.name}" was stopped: ${stopped}`
          : timedOut
            ? `step "${step.name}" was stopped at the run's time limit of ${Math.round(request.timeoutMs / 1000)} s`
            : `step "${step.name}" failed: ${firstLine(e)}`;
        record("failed", 0, reason);
        throw new BuildFailed(reason, steps, rowsIn, stopped ? "stopped" : timedOut ? "timeout" : "step-failed");
      }
      tables.add(step.name.toLowerCase());
    }
    const last = request.steps[request.steps.length - 1];
    if (!last) throw new InputError("an output needs at least one step", { code: "steps-missing" });
    await run(
      `COPY (SELECT * FROM ${dialect.quoteIdentifier(last.name)}) TO ${dialect.stringLiteral(request.outputFile)} (FORMAT parquet)`,
    ).catch((e: unknown) => {
      if (stopped) throw new BuildFailed(`the output's write was stopped: ${stopped}`, steps, rowsIn, "stopped");
      throw new BuildFailed(`the output could not be written: ${firstLine(e)}`, steps, rowsIn, "write-failed");
    });
    return { rowsIn, rowsOut: steps[steps.length - 1]?.rows ?? 0, steps };
  } catch (e) {
    if (e instanceof BuildFailed || (e instanceof QuantaError && !(e instanceof EngineError))) throw e;
    throw new BuildFailed(
      stopped
        ? `the build was stopped: ${stopped}`
        : timedOut
          ? `the run was stopped at its time limit of ${Math.round(request.timeoutMs / 1000)} s`
          : firstLine(e),
      steps,
      rowsIn,
      stopped ? "stopped" : timedOut ? "timeout" : "build-failed",
    );
  } finally {
    request.signal?.removeEventListener("abort", stop);
    sandbox.close();
  }
}

const viewName = (d: SandboxDataset) =>
  (d.schema ? `${dialect.quoteIdentifier(d.schema)}.` : "") + dialect.quoteIdentifier(d.name);

/**
 * Writes each input view (its masks and row filters applied) as Parquet under `dir`: a view
 * `port.dataset` to `dir/port/dataset.parquet`; views without a schema are skipped. What a
 * command step reads: never the upstream files themselves, which would bypass the agreement.
 */
export async function exportInputs(request: {
  inputs: readonly SandboxDataset[];
  dir: string;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<{ rowsIn: Record<string, number>; files: Record<string, string> }> {
  for (const schema of new Set(request.inputs.flatMap((d) => (d.schema ? [d.schema] : []))))
    await mkdir(join(request.dir, schema), { recursive: true });
  const sandbox = await ConsumerSandbox.open(request.inputs, { outputDir: request.dir, threads: 2 });
  const timer = setTimeout(() => sandbox.conn.interrupt(), request.timeoutMs);
  const stop = () => sandbox.conn.interrupt();
  request.signal?.addEventListener("abort", stop, { once: true });
  try {
    const rowsIn: Record<string, number> = {};
    const files: Record<string, string> = {};
    for (const d of request.inputs) {
      if (request.signal?.aborted) throw new Error(abortReason(request.signal));
      if (!d.schema) continue;
      const file = join(request.dir, d.schema, `${d.name}.parquet`);
      const counted = await sandbox.conn.runAndReadAll(`SELECT count(*) FROM ${viewName(d)}`);
      rowsIn[viewKey(d)] = Number(counted.getRows()[0]?.[0] ?? 0);
      await sandbox.conn.run(`COPY (SELECT * FROM ${viewName(d)}) TO ${dialect.stringLiteral(file)} (FORMAT parquet)`);
      files[viewKey(d)] = file;
    }
    return { rowsIn, files };
  } catch (e) {
    throw new BuildFailed(`the inputs could not be written for the command: ${firstLine(e)}`, [], {}, "inputs-failed");
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", stop);
    sandbox.close();
  }
}
