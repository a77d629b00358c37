import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { QuantaError } from "@quanta/core";
import {
  type PipelineBuilder,
  PipelineBuildFailed,
  type PipelineBuildRequest,
  type PipelineBuildResult,
  type PipelineBuiltStep,
  type PipelineColumn,
  type PipelineExported,
  type PipelineExportRequest,
  type PipelineInput,
} from "@quanta/core/engines";
import pg from "pg";
import { connectError } from "../connect-error.js";
import { BinaryCopyOut } from "../consume/copy-out.js";
import { judgeConsumerPlan, judgeConsumerText } from "../consumer-guard.js";
import { maskedSelect } from "../masked-select.js";
import { clientTarget, type PostgresConfig, resolvePostgresConfig } from "../postgres-config.js";
import { cancelBackend } from "../postgres-connection.js";
import { NdjsonWriter } from "./ndjson-writer.js";
import {
  countInput,
  createStepTable,
  fillStepTable,
  inputRowsAsJson,
  judgedStep,
  type ServedInput,
  stepColumnsSql,
  stepRowsAsJson,
} from "./pipeline-sql.js";
import { portableType } from "./portable-type.js";

/** The consume reader's session (postgres-reader.ts): no user schema on the path, values printed in one form. */
const sessionOptions = [
  "search_path=pg_catalog,pg_temp",
  "TimeZone=UTC",
  "DateStyle=ISO",
  "IntervalStyle=postgres",
  "bytea_output=hex",
  "extra_float_digits=1",
  "standard_conforming_strings=on",
]
  .map((o) => `-c ${o}`)
  .join(" ");

/** SQLSTATE of a statement cancelled by statement_timeout or pg_cancel_backend. */
const queryCanceled = "57014";

/** Why `signal` was aborted, in words (as DuckDB's build says it). */
const abortReason = (signal: AbortSignal) =>
  signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "the build was stopped");

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

/** A lost connection (the server stopped, the network dropped): not the step's fault. */
function isConnectionFailure(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return (
    (typeof code === "string" && (/^E[A-Z]+$/.test(code) || code.startsWith("08") || code.startsWith("57P"))) ||
    /Connection terminated/i.test(firstLine(e))
  );
}

/** A server error with what PostgreSQL adds (detail, hint). */
function serverMessage(e: unknown): string {
  // Never PostgreSQL's `detail`: it often quotes row values ("Failing row contains …"), and run
  // records are read by more people than the owner team's agreement lets see the data.
  const err = e as { hint?: string };
  return err.hint ? `${firstLine(e)} (hint: ${err.hint})` : firstLine(e);
}

/** One session of a build: its client, its deadline (a cancel from a second session), and why it stopped. */
class BuildSession {
  timedOut = false;
  /** Why the build's signal stopped it, once it has. */
  stopped: string | undefined;
  private cancelling: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly stop: () => void;

  private constructor(
    readonly client: pg.Client,
    readonly config: PostgresConfig,
    timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    const pid = (client as unknown as { processID?: number }).processID;
    const cancel = () => {
      if (pid !== undefined) this.cancelling ??= cancelBackend(config, pid);
    };
    this.timer = setTimeout(() => {
      this.timedOut = true;
      cancel();
    }, timeoutMs);
    this.stop = () => {
      this.stopped ??= abortReason(signal as AbortSignal);
      cancel();
    };
    signal?.addEventListener("abort", this.stop, { once: true });
  }

  static async open(request: {
    server: Record<string, unknown>;
    env: PipelineBuildRequest["env"];
    timeoutMs: number;
    signal?: AbortSignal | undefined;
  }) {
    if (request.signal?.aborted)
      throw new PipelineBuildFailed(`the build was stopped: ${abortReason(request.signal)}`, [], {}, "stopped");
    let config: PostgresConfig;
    try {
      config = resolvePostgresConfig(request.server, request.env);
    } catch (e) {
      throw new PipelineBuildFailed(firstLine(e), [], {}, (e as QuantaError).code ?? "server-invalid", e);
    }
    const client = new pg.Client({
      ...clientTarget(config),
      connectionTimeoutMillis: config.connectTimeoutMs,
      application_name: "quanta-pipeline",
      options: sessionOptions,
    });
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => {});
      const why = connectError(e, config);
      throw new PipelineBuildFailed(why.message, [], {}, why.code ?? "engine-unreachable", e);
    }
    const session = new BuildSession(client, config, request.timeoutMs, request.signal);
    const ms = Math.max(1, Math.ceil(request.timeoutMs));
    // Read-write only until the steps' tables exist (made from plans, running nothing); then read-only.
    // One snapshot for every statement: the rows counted in are the rows each step reads.
    try {
      await client.query(
        `BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE; SET LOCAL statement_timeout = ${ms}; SET LOCAL lock_timeout = ${ms}`,
      );
    } catch (e) {
      await session.close();
      throw session.failure(e, request.timeoutMs, [], {});
    }
    return session;
  }

  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.client.query<R>({ text, values, queryMode: "extended" } as never);
  }

  /** The inputs served masked and filtered, in this session's transaction. */
  async serve(inputs: readonly PipelineInput[]): Promise<{ served: ServedInput[]; columns: PipelineColumn[][] }> {
    const served: ServedInput[] = [];
    const columns: PipelineColumn[][] = [];
    for (const d of inputs) {
      const select = await maskedSelect(this.client, d, this.config.schema);
      served.push({ name: d.name, select: select.sql, filtered: d.rowFilters.length > 0 });
      columns.push(select.columns.map((c) => ({ name: c.name, type: c.type, sqlType: portableType(c.type) })));
    }
    return { served, columns };
  }

  /** `COPY (<select of one JSON text column>) TO STDOUT (FORMAT binary)` into an NDJSON file. */
  async copyJson(select: string, file: string): Promise<number> {
    let copy: BinaryCopyOut | undefined;
    const writer = new NdjsonWriter(file, { pause: () => copy?.pause(), resume: () => copy?.resume() });
    copy = new BinaryCopyOut(`COPY (${select}) TO STDOUT (FORMAT binary)`, 1, (b, s, l) => writer.add(b, s, l));
    try {
      this.client.query(copy as never);
      await copy.done;
    } catch (e) {
      await writer.end(e);
    }
    return (await writer.end()).rows;
  }

  /** Why the build stopped, as one failure: the time limit, the server gone, or the server's own message. */
  failure(e: unknown, timeoutMs: number, steps: PipelineBuiltStep[], rowsIn: Record<string, number>) {
    if (e instanceof PipelineBuildFailed) return e;
    if (this.stopped !== undefined)
      return new PipelineBuildFailed(`the build was stopped: ${this.stopped}`, steps, rowsIn, "stopped", e);
    if (this.timedOut || (e as { code?: string })?.code === queryCanceled)
      return new PipelineBuildFailed(
        `the run was stopped at its time limit of ${Math.round(timeoutMs / 1000)} s`,
        steps,
        rowsIn,
        "timeout",
        e,
      );
    if (isConnectionFailure(e)) {
      const why = connectError(e, this.config);
      return new PipelineBuildFailed(why.message, steps, rowsIn, why.code ?? "engine-unreachable", e);
    }
    if (e instanceof QuantaError) return new PipelineBuildFailed(e.message, steps, rowsIn, e.code ?? "build-failed", e);
    return new PipelineBuildFailed(serverMessage(e), steps, rowsIn, "build-failed", e);
  }

  /** Ends the transaction (the steps' tables go with it) and the session. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.signal?.removeEventListener("abort", this.stop);
    await this.cancelling;
    await this.client.query("ROLLBACK").catch(() => {});
    await this.client.end().catch(() => {});
  }
}

/**
 * Pipeline outputs built in PostgreSQL, where their inputs lie (ADR 0030). In one transaction on a
 * session whose search path holds no user schema: the inputs are CTEs serving their tables masked
 * and filtered (masked-select.ts); each step is judged like a consumer's query (its text: one
 * SELECT, only built-in functions, nothing reaching files, settings or sessions; then the server's
 * plan: no table beyond the inputs and earlier steps) and gets a temporary table made from its
 * plan. Then the transaction turns READ ONLY, each step fills its table (its own time and rows),
 * and the last one's rows go out by a binary COPY, one JSON object per line, to the result file.
 * A timer cancels the running statement at the build's time limit.
 */
export class PostgresPipelineBuilder implements PipelineBuilder {
  target(server: Record<string, unknown>, env: PipelineBuildRequest["env"]): string {
    const config = resolvePostgresConfig(server, env);
    // The schema too: a build reads every input in the first one's default schema, so inputs on
    // one URL with other schemas are not one target (they build in DuckDB, each read on its own).
    return createHash("sha256")
      .update(JSON.stringify([config.connectTimeoutMs, config.url, config.schema ?? null]))
      .digest("hex");
  }

  async build(request: PipelineBuildRequest): Promise<PipelineBuildResult> {
    const steps: PipelineBuiltStep[] = [];
    const rowsIn: Record<string, number> = {};
    const last = request.steps[request.steps.length - 1];
    if (!last) throw new PipelineBuildFailed("an output needs at least one step", [], {}, "steps-missing");
    const session = await BuildSession.open(request);
    const readable = [...request.inputs.map((d) => d.name), ...request.steps.map((s) => s.name)];
    const record =
      (step: (typeof request.steps)[number], sql: string, started: number, startedAt: string) =>
      (status: PipelineBuiltStep["status"], rows: number, error: string | null) =>
        steps.push({
          name: step.name,
          sql,
          startedAt,
          ms: Math.round(performance.now() - started),
          rows,
          status,
          error,
        });
    try {
      const { served } = await session.serve(request.inputs);
      // Guard and plan every step first, while the transaction may still create its tables.
      for (const [i, step] of request.steps.entries()) {
        const refuse = (reason: string) => {
          const why = `step "${step.name}" is refused: ${reason}; a step is one SELECT over the input ports and earlier steps (${readable.slice(0, request.inputs.length + i).join(", ")})`;
          steps.push({
            name: step.name,
            sql: step.sql,
            startedAt: new Date().toISOString(),
            ms: 0,
            rows: 0,
            status: "failed",
            error: why,
          });
          return new PipelineBuildFailed(why, steps, rowsIn, "sql-refused");
        };
        const text = judgeConsumerText(step.sql);
        if (!text.ok) throw refuse(text.reason);
        const judged = judgedStep(
          served,
          request.steps.slice(0, i).map((s) => s.name),
          step.sql,
        );
        await session.query("SAVEPOINT quanta_step");
        try {
          const plan = (await session.query<Record<string, unknown>>(judged.sql)).rows[0]?.["QUERY PLAN"];
          const verdict = judgeConsumerPlan(typeof plan === "string" ? JSON.parse(plan) : plan, judged.fences);
          if (!verdict.ok)
            throw refuse(verdict.reason.replace("one of the port's datasets", "an input or an earlier step"));
          await session.query(createStepTable(served, step));
          await session.query("RELEASE SAVEPOINT quanta_step");
        } catch (e) {
          if (e instanceof PipelineBuildFailed || session.timedOut || isConnectionFailure(e)) throw e;
          const why = `step "${step.name}" failed: ${serverMessage(e)}`;
          steps.push({
            name: step.name,
            sql: step.sql,
            startedAt: new Date().toISOString(),
            ms: 0,
            rows: 0,
            status: "failed",
            error: why,
          });
          throw new PipelineBuildFailed(why, steps, rowsIn, "step-failed", e);
        }
      }
      await session.query("SET TRANSACTION READ ONLY");
      for (const [i, d] of served.entries()) {
        const counted = await session.query<{ n: string }>(countInput(d));
        rowsIn[request.inputs[i]?.key ?? d.name] = Number(counted.rows[0]?.n ?? 0);
      }
      for (const step of request.steps) {
        const statement = fillStepTable(served, step);
        const done = record(step, statement, performance.now(), new Date().toISOString());
        try {
          const filled = await session.query(statement);
          done("passed", filled.rowCount ?? 0, null);
        } catch (e) {
          const stopped = session.timedOut || (e as { code?: string })?.code === queryCanceled;
          const why = session.stopped
            ? `step "${step.name}" was stopped: ${session.stopped}`
            : stopped
              ? `step "${step.name}" was stopped at the run's time limit of ${Math.round(request.timeoutMs / 1000)} s`
              : isConnectionFailure(e)
                ? connectError(e, session.config).message
                : `step "${step.name}" failed: ${serverMessage(e)}`;
          done("failed", 0, why);
          const code = session.stopped ? "stopped" : stopped ? "timeout" : "step-failed";
          throw new PipelineBuildFailed(why, steps, rowsIn, code, e);
        }
      }
      const columns = (await session.query<{ name: string; type: string }>(stepColumnsSql, [last.name])).rows.map(
        (c) => ({ name: c.name, type: c.type, sqlType: portableType(c.type) }),
      );
      const rowsOut = await session.copyJson(stepRowsAsJson(last.name, columns), request.resultFile);
      return { rowsIn, rowsOut, steps, columns };
    } catch (e) {
      await rm(request.resultFile, { force: true }).catch(() => {});
      throw session.failure(e, request.timeoutMs, steps, rowsIn);
    } finally {
      await session.close();
    }
  }

  async exportInputs(request: PipelineExportRequest): Promise<PipelineExported[]> {
    const session = await BuildSession.open(request);
    const rowsIn: Record<string, number> = {};
    try {
      await session.query("SET TRANSACTION READ ONLY");
      const { served, columns } = await session.serve(request.inputs);
      const exported: PipelineExported[] = [];
      for (const [i, d] of request.inputs.entries()) {
        const rows = await session.copyJson(inputRowsAsJson(served[i] as ServedInput, columns[i] ?? []), d.file);
        rowsIn[d.key] = rows;
        exported.push({ key: d.key, file: d.file, rows, columns: columns[i] ?? [] });
      }
      return exported;
    } catch (e) {
      await Promise.all(request.inputs.map((d) => rm(d.file, { force: true }).catch(() => {})));
      throw session.failure(e, request.timeoutMs, [], rowsIn);
    } finally {
      await session.close();
    }
  }
}
