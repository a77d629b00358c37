import { ConflictError } from "@quanta/core";
import { type Queryable, sqlState, sqlStates } from "../storage/database.js";
import type {
  PipelineAttempt,
  PipelineLogLine,
  PipelineOutputResult,
  PipelineRun,
  PipelineRunDetail,
  PipelineRunParams,
  PipelineStepRecord,
  PipelineTrigger,
} from "./pipeline-run-schema.js";

const columns = `id::int AS id, product_id AS "productId", product_version AS "productVersion", trigger,
  requested_by AS "requestedBy", status, reason, outputs, created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt", cancelled_by AS "cancelledBy",
  cancel_requested_at AS "cancelRequestedAt", attempt, attempts, params`;

/** The `pipeline_runs`, `pipeline_run_steps` and `pipeline_run_logs` tables (migration 29). */
export class PipelineRunStore {
  constructor(private readonly q: Queryable) {}

  /**
   * A new run, `queued`. A product has at most one queued or running run: a second request is a
   * ConflictError naming the run in progress.
   */
  async create(input: {
    productId: string;
    productVersion: string;
    trigger: PipelineTrigger;
    requestedBy: string | null;
    params?: PipelineRunParams | null;
  }): Promise<PipelineRun> {
    try {
      const { rows } = await this.q.query<PipelineRun>(
        `INSERT INTO pipeline_runs (product_id, product_version, trigger, requested_by, params)
         VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING ${columns}`,
        [
          input.productId,
          input.productVersion,
          input.trigger,
          input.requestedBy,
          input.params ? JSON.stringify(input.params) : null,
        ],
      );
      return rows[0] as PipelineRun;
    } catch (e) {
      if (sqlState(e) !== sqlStates.uniqueViolation) throw e;
      // Inside the caller's transaction, now aborted: the run in progress is named by the caller.
      throw new ConflictError(
        `a pipeline run of ${input.productId} is already queued or running; one run per product at a time`,
        { code: "run-in-progress" },
      );
    }
  }

  /** The product's queued or running run. */
  async open(productId: string): Promise<PipelineRun | undefined> {
    const { rows } = await this.q.query<PipelineRun>(
      `SELECT ${columns} FROM pipeline_runs WHERE product_id = $1 AND status IN ('queued', 'running')`,
      [productId],
    );
    return rows[0];
  }

  /**
   * Queued → running, the next attempt; running already means its worker died mid-run, which is
   * put on record as an attempt of its own. The steps of an earlier attempt are cleared. Undefined
   * when the run has ended (cancelled while its job waited, say).
   */
  async start(id: number): Promise<{ attempt: number } | undefined> {
    await this.q.query("DELETE FROM pipeline_run_steps WHERE run_id = $1", [id]);
    const died: Omit<PipelineAttempt, "attempt" | "startedAt" | "endedAt"> = {
      reason: "the worker running it stopped mid-run (killed, or it lost its lease)",
      transient: true,
      retryAt: null,
    };
    const { rows } = await this.q.query<{ attempt: number }>(
      `UPDATE pipeline_runs SET
         attempts = CASE WHEN status = 'running' THEN attempts || jsonb_build_array($2::jsonb
           || jsonb_build_object('attempt', attempt, 'startedAt', started_at, 'endedAt', now(), 'retryAt', now()))
           ELSE attempts END,
         status = 'running', started_at = now(), attempt = attempt + 1
       WHERE id = $1 AND status IN ('queued', 'running') RETURNING attempt`,
      [id, JSON.stringify(died)],
    );
    return rows[0];
  }

  async finish(
    id: number,
    outcome: {
      status: "succeeded" | "failed" | "cancelled";
      reason: string | null;
      outputs: PipelineOutputResult[];
    },
    /** The attempt finishing: a run another attempt holds by now is left to it. */
    attempt?: number,
  ): Promise<void> {
    await this.q.query(
      `UPDATE pipeline_runs SET status = $2, reason = $3, outputs = $4::jsonb, finished_at = now()
       WHERE id = $1 AND status IN ('queued', 'running') AND ($5::int IS NULL OR attempt = $5)`,
      [id, outcome.status, outcome.reason?.slice(0, 4000) ?? null, JSON.stringify(outcome.outputs), attempt ?? null],
    );
  }

  /** An attempt failed for a transient reason and another is due at `retryAt`: queued again, on record. */
  async retry(
    id: number,
    failed: { reason: string; retryAt: Date; outputs: PipelineOutputResult[] },
    attempt?: number,
  ): Promise<void> {
    await this.q.query(
      `UPDATE pipeline_runs SET status = 'queued', outputs = $3::jsonb,
         attempts = attempts || jsonb_build_array(jsonb_build_object('attempt', attempt, 'startedAt', started_at,
           'endedAt', now(), 'reason', $2::text, 'transient', true, 'retryAt', $4::timestamptz))
       WHERE id = $1 AND status = 'running' AND ($5::int IS NULL OR attempt = $5)`,
      [id, failed.reason.slice(0, 4000), JSON.stringify(failed.outputs), failed.retryAt.toISOString(), attempt ?? null],
    );
  }

  /**
   * Asks for the run to be cancelled (any replica; the worker running it polls `cancelRequest`).
   * Locks the run's row, so a worker publishing a version in the same breath either sees the
   * request or published first. The run's status before, undefined when it is no run of the product.
   */
  async requestCancel(productId: string, id: number, by: string): Promise<PipelineRun | undefined> {
    const { rows } = await this.q.query<PipelineRun>(
      `SELECT ${columns} FROM pipeline_runs WHERE product_id = $1 AND id = $2 FOR UPDATE`,
      [productId, id],
    );
    const run = rows[0];
    if (!run || (run.status !== "queued" && run.status !== "running") || run.cancelledBy) return run;
    await this.q.query(
      "UPDATE pipeline_runs SET cancel_requested_at = now(), cancelled_by = $2 WHERE id = $1 AND cancelled_by IS NULL",
      [id, by],
    );
    return run;
  }

  /** Who asked to cancel the run, if anyone did. `lock`: hold the row until the transaction ends. */
  async cancelRequest(id: number, lock = false): Promise<string | undefined> {
    const { rows } = await this.q.query<{ by: string | null }>(
      `SELECT cancelled_by AS by FROM pipeline_runs WHERE id = $1${lock ? " FOR UPDATE" : ""}`,
      [id],
    );
    return rows[0]?.by ?? undefined;
  }

  async addStep(runId: number, step: PipelineStepRecord): Promise<void> {
    await this.q.query(
      `INSERT INTO pipeline_run_steps (run_id, port, position, name, kind, sql, status, started_at, ms, rows_out, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        runId,
        step.port,
        step.position,
        step.name,
        step.kind,
        step.sql,
        step.status,
        step.startedAt,
        step.ms,
        step.rowsOut,
        step.error?.slice(0, 4000) ?? null,
      ],
    );
  }

  async log(runId: number, level: PipelineLogLine["level"], message: string): Promise<void> {
    await this.q.query("INSERT INTO pipeline_run_logs (run_id, level, message) VALUES ($1, $2, $3)", [
      runId,
      level,
      message.slice(0, 4000),
    ]);
  }

  async get(productId: string, id: number): Promise<PipelineRunDetail | undefined> {
    const { rows } = await this.q.query<PipelineRun>(
      `SELECT ${columns} FROM pipeline_runs WHERE product_id = $1 AND id = $2`,
      [productId, id],
    );
    const run = rows[0];
    if (!run) return undefined;
    const { rows: steps } = await this.q.query<PipelineStepRecord>(
      `SELECT port, position, name, kind, sql, status, started_at AS "startedAt", ms, rows_out::int AS "rowsOut", error
       FROM pipeline_run_steps WHERE run_id = $1 ORDER BY port, position`,
      [id],
    );
    return { ...run, steps };
  }

  /** The product's runs, newest first. */
  async list(productId: string, limit = 20): Promise<PipelineRun[]> {
    const { rows } = await this.q.query<PipelineRun>(
      `SELECT ${columns} FROM pipeline_runs WHERE product_id = $1 ORDER BY id DESC LIMIT $2`,
      [productId, limit],
    );
    return rows;
  }

  /** A run's log lines, oldest first; `afterId` follows them. */
  async logs(runId: number, afterId = 0, limit = 1000): Promise<PipelineLogLine[]> {
    const { rows } = await this.q.query<PipelineLogLine>(
      `SELECT id::int AS id, at, level, message FROM pipeline_run_logs WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [runId, afterId, limit],
    );
    return rows;
  }
}
