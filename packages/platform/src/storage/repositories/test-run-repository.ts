import type { Queryable } from "../database.js";

export type RunStatus = "running" | "passed" | "warning" | "failed" | "error";
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

export interface TestRun {
  id: number;
  productId: string;
  contractId: string;
  contractVersion: string;
  server: string | null;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
}

const runColumns = `id, product_id AS "productId", contract_id AS "contractId",
  contract_version AS "contractVersion", server, status, started_at AS "startedAt", finished_at AS "finishedAt"`;

/** Contract test runs against a published contract version, and the result of each check. */
export class TestRunRepository {
  constructor(private readonly q: Queryable) {}

  async start(run: {
    productId: string;
    contractId: string;
    contractVersion: string;
    server?: string | undefined;
  }): Promise<TestRun> {
    const { rows } = await this.q.query<TestRun>(
      `INSERT INTO test_runs (product_id, contract_id, contract_version, server, status)
       VALUES ($1, $2, $3, $4, 'running') RETURNING ${runColumns}`,
      [run.productId, run.contractId, run.contractVersion, run.server ?? null],
    );
    return rows[0] as TestRun;
  }

  async finish(
    runId: number,
    status: Exclude<RunStatus, "running">,
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
