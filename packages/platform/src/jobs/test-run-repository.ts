import type { z } from "@hono/zod-openapi";
import type { Queryable } from "../storage/database.js";
import type { TestRunSchema } from "./test-run-schema.js";

/** `abandoned`: the worker running it stopped before it finished (see `reason`); no result. */
export type RunStatus = "running" | "passed" | "warning" | "failed" | "error" | "abandoned";
export type CheckStatus = "passed" | "warning" | "failed" | "error" | "skipped";

export interface CheckResultInput {
  checkId: string;
  dataset?: string | undefined;
  status: CheckStatus;
  value?: unknown;
  threshold?: unknown;
  sql?: string | undefined;
  reason?: string | undefined;
}

/** A run as stored: its status one of RunStatus (the answer documents it as a string). */
export type TestRun = Omit<z.infer<typeof TestRunSchema>, "status"> & { status: RunStatus };

const runColumns = `id, product_id AS "productId", contract_id AS "contractId",
  contract_version AS "contractVersion", server, status, started_at AS "startedAt", finished_at AS "finishedAt",
  reason`;

/** Contract test runs against a published contract version, and the result of each check. */
export class TestRunRepository {
  constructor(private readonly q: Queryable) {}

  async start(run: {
    productId: string;
    contractId: string;
    contractVersion: string;
    server?: string | undefined;
    /** The job running the test, and the worker holding it: the run lives as long as that lease. */
    job?: { id: number; worker: string } | undefined;
  }): Promise<TestRun> {
    const { rows } = await this.q.query<TestRun>(
      `INSERT INTO test_runs (product_id, contract_id, contract_version, server, status, job_id, job_worker)
       VALUES ($1, $2, $3, $4, 'running', $5, $6) RETURNING ${runColumns}`,
      [
        run.productId,
        run.contractId,
        run.contractVersion,
        run.server ?? null,
        run.job?.id ?? null,
        run.job?.worker ?? null,
      ],
    );
    return rows[0] as TestRun;
  }

  /** Ends a run that is still running as `abandoned`; false when it had ended already. */
  async abandon(runId: number, reason: string): Promise<boolean> {
    const { rowCount } = await this.q.query(
      "UPDATE test_runs SET status = 'abandoned', reason = $2, finished_at = now() WHERE id = $1 AND status = 'running'",
      [runId, reason],
    );
    return rowCount === 1;
  }

  /**
   * Marks `abandoned` every run still `running` whose job is no longer held by the worker that
   * started it (the worker died or stalled: its lease expired, the job was claimed again, ended or
   * deleted), with the reason; only the runs of `jobId` when given. Returns the runs' ids.
   */
  async abandonOrphans(jobId?: number): Promise<number[]> {
    const { rows } = await this.q.query<{ id: number }>(
      `WITH orphan AS (
         SELECT r.id, j.status AS job_status, j.locked_by AS holder, r.job_worker AS worker
         FROM test_runs r LEFT JOIN jobs j ON j.id = r.job_id
         WHERE r.status = 'running' AND r.job_id IS NOT NULL AND ($1::bigint IS NULL OR r.job_id = $1)
           AND NOT (j.status IS NOT DISTINCT FROM 'running' AND j.locked_by IS NOT DISTINCT FROM r.job_worker
             AND j.locked_until >= now()))
       UPDATE test_runs t SET status = 'abandoned', finished_at = now(), reason = CASE
           WHEN o.job_status IS NULL THEN 'its worker stopped before the run finished; the job is gone'
           WHEN o.job_status = 'running' AND o.holder IS DISTINCT FROM o.worker
             THEN 'its worker stopped before the run finished; another worker took the job over'
           WHEN o.job_status = 'running' THEN 'its worker stopped answering: the job''s lease expired'
           WHEN o.job_status = 'queued' THEN 'its worker stopped before the run finished; the job will run again'
           ELSE 'its worker stopped before the run finished; the job ended as ' || o.job_status END
       FROM orphan o WHERE t.id = o.id
       RETURNING t.id`,
      [jobId ?? null],
    );
    return rows.map((r) => Number(r.id));
  }

  async finish(
    runId: number,
    status: Exclude<RunStatus, "running" | "abandoned">,
    results: readonly CheckResultInput[],
  ): Promise<void> {
    for (const r of results) {
      await this.q.query(
        `INSERT INTO check_results (run_id, check_id, dataset, status, value, threshold, sql, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          runId,
          r.checkId,
          r.dataset ?? null,
          r.status,
          JSON.stringify(r.value ?? null),
          JSON.stringify(r.threshold ?? null),
          r.sql ?? null,
          r.reason ?? null,
        ],
      );
    }
    await this.q.query("UPDATE test_runs SET status = $2, finished_at = now() WHERE id = $1", [runId, status]);
  }

  async latest(productId: string, limit = 20): Promise<TestRun[]> {
    const { rows } = await this.q.query<TestRun>(
      `SELECT ${runColumns} FROM test_runs WHERE product_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
      [productId, limit],
    );
    return rows;
  }

  async results(runId: number): Promise<(CheckResultInput & { checkId: string })[]> {
    const { rows } = await this.q.query<CheckResultInput>(
      `SELECT check_id AS "checkId", dataset, status, value, threshold, sql, reason
       FROM check_results WHERE run_id = $1 ORDER BY check_id`,
      [runId],
    );
    return rows;
  }
}
