import type { Database, Queryable } from "../storage/database.js";

export type JobStatus = "queued" | "running" | "done" | "failed";

export interface Job {
  id: number;
  kind: string;
  key: string | null;
  payload: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedBy: string | null;
  lockedUntil: string | null;
  lastError: string | null;
  result: unknown;
  createdAt: string;
  finishedAt: string | null;
}

export interface EnqueueInput {
  kind: string;
  payload?: Record<string, unknown>;
  /** Idempotency key: a second enqueue with the same key (from any replica) does nothing. */
  key?: string;
  runAt?: Date;
  maxAttempts?: number;
}

const columns = `id, kind, key, payload, status, attempts, max_attempts AS "maxAttempts", run_at AS "runAt",
  locked_by AS "lockedBy", locked_until AS "lockedUntil", last_error AS "lastError", result,
  created_at AS "createdAt", finished_at AS "finishedAt"`;

/** Delay before retry `attempt` (1-based): 2 s, 4 s, 8 s … capped at 10 minutes. */
export function backoffMs(attempt: number, baseMs = 2_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 600_000);
}

/**
 * A job queue in the metadata store, shared by every replica. A worker claims the oldest due job
 * with `FOR UPDATE SKIP LOCKED` (two workers never get the same row) and holds it for a lease; a
 * worker that dies lets its lease expire and the job is claimed again. Only the lease holder can
 * finish a job, so a worker that lost its lease cannot overwrite the result of the one that took over.
 */
export class JobQueue {
  /** Per store, this process's listeners for new jobs: a worker wakes for them instead of polling. */
  private static readonly listeners = new WeakMap<Database, Set<(runAt: number) => void>>();

  constructor(
    private readonly db: Database,
    private readonly options: { backoffBaseMs?: number } = {},
  ) {}

  /**
   * Calls `listen` with the due time of each job this process enqueues in this store from now on
   * (in a transaction: possibly before it commits); answers the way to stop listening.
   */
  onEnqueued(listen: (runAt: number) => void): () => void {
    const set = JobQueue.listeners.get(this.db) ?? new Set();
    JobQueue.listeners.set(this.db, set);
    set.add(listen);
    return () => set.delete(listen);
  }

  /** The job, and whether this call created it (false: the key existed). */
  async enqueue(input: EnqueueInput, q: Queryable = this.db): Promise<{ job: Job; created: boolean }> {
    const { rows } = await q.query<Job>(
      `INSERT INTO jobs (kind, key, payload, run_at, max_attempts)
       VALUES ($1, $2, $3, COALESCE($4::timestamptz, now()), $5)
       ON CONFLICT (key) DO NOTHING RETURNING ${columns}`,
      [
        input.kind,
        input.key ?? null,
        JSON.stringify(input.payload ?? {}),
        input.runAt?.toISOString() ?? null,
        input.maxAttempts ?? 3,
      ],
    );
    if (rows[0]) {
      const runAt = Date.parse(rows[0].runAt);
      for (const listen of JobQueue.listeners.get(this.db) ?? []) listen(Number.isNaN(runAt) ? Date.now() : runAt);
      return { job: rows[0], created: true };
    }
    const { rows: existing } = await q.query<Job>(`SELECT ${columns} FROM jobs WHERE key = $1`, [input.key]);
    return { job: existing[0] as Job, created: false };
  }

  /**
   * Claims one due job of the given kinds for `leaseMs`: a queued job whose time has come, or a
   * running one whose lease expired (its worker died). A job out of attempts is failed instead.
   */
  async claim(workerId: string, kinds: readonly string[], leaseMs: number): Promise<Job | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE jobs SET status = 'failed', finished_at = now(), locked_by = NULL, locked_until = NULL,
           last_error = COALESCE(last_error || '; ', '') || 'lease expired after the last attempt'
         WHERE status = 'running' AND locked_until < now() AND attempts >= max_attempts AND kind = ANY($1)`,
        [kinds],
      );
      const { rows } = await tx.query<Job>(
        `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $2,
           locked_until = now() + ($3::double precision * interval '1 millisecond')
         WHERE id = (
           SELECT id FROM jobs
           WHERE kind = ANY($1) AND (
             (status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until < now()))
           ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING ${columns}`,
        [kinds, workerId, leaseMs],
      );
      return rows[0];
    });
  }

  /** Extends the lease of a job this worker holds; false when it no longer holds it. */
  async heartbeat(id: number, workerId: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET locked_until = now() + ($3::double precision * interval '1 millisecond')
       WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
      [id, workerId, leaseMs],
    );
    return rowCount === 1;
  }

  async complete(id: number, workerId: string, result: unknown = null): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET status = 'done', result = $3, finished_at = now(), locked_by = NULL, locked_until = NULL
       WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
      [id, workerId, JSON.stringify(result ?? null)],
    );
    return rowCount === 1;
  }

  /**
   * Requeues with backoff while attempts remain (`delayMs` instead of the queue's own backoff), else
   * marks the job failed for good.
   */
  async fail(id: number, workerId: string, error: string, delayMs?: number): Promise<JobStatus | undefined> {
    const { rows } = await this.db.query<{ status: JobStatus; attempts: number }>(
      `UPDATE jobs SET
         status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
         run_at = CASE WHEN attempts < max_attempts
           THEN now() + (COALESCE($5::double precision, $4::double precision * power(2, attempts - 1))
             * interval '1 millisecond') ELSE run_at END,
         finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END,
         last_error = $3, locked_by = NULL, locked_until = NULL
       WHERE id = $1 AND locked_by = $2 AND status = 'running'
       RETURNING status, attempts`,
      [id, workerId, error.slice(0, 4000), this.options.backoffBaseMs ?? 2_000, delayMs ?? null],
    );
    return rows[0]?.status;
  }

  /**
   * Ends a job that waits (queued) without running it, as done with `result`: what was asked of it
   * was called off. False when it is not waiting (running, or ended).
   */
  async cancel(key: string, result: unknown, q: Queryable = this.db): Promise<boolean> {
    const { rowCount } = await q.query(
      `UPDATE jobs SET status = 'done', result = $2, finished_at = now() WHERE key = $1 AND status = 'queued'`,
      [key, JSON.stringify(result ?? null)],
    );
    return rowCount === 1;
  }

  /**
   * Gives a job this worker holds back to the queue, due now, and returns the attempt it took: the
   * job did not fail, its worker is stopping. False when the worker no longer holds it.
   */
  async release(id: number, workerId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET status = 'queued', run_at = now(), attempts = GREATEST(attempts - 1, 0),
         locked_by = NULL, locked_until = NULL
       WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
      [id, workerId],
    );
    return rowCount === 1;
  }

  async get(id: number): Promise<Job | undefined> {
    const { rows } = await this.db.query<Job>(`SELECT ${columns} FROM jobs WHERE id = $1`, [id]);
    return rows[0];
  }

  /** The job enqueued with this idempotency key. */
  async byKey(key: string): Promise<Job | undefined> {
    const { rows } = await this.db.query<Job>(`SELECT ${columns} FROM jobs WHERE key = $1`, [key]);
    return rows[0];
  }

  async list(options: { kind?: string; status?: JobStatus; limit?: number } = {}): Promise<Job[]> {
    const { rows } = await this.db.query<Job>(
      `SELECT ${columns} FROM jobs WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY id DESC LIMIT $3`,
      [options.kind ?? null, options.status ?? null, options.limit ?? 100],
    );
    return rows;
  }

  /** Counts by status (observability, tests). */
  async counts(): Promise<Record<JobStatus, number>> {
    const { rows } = await this.db.query<{ status: JobStatus; n: number }>(
      "SELECT status, count(*)::int AS n FROM jobs GROUP BY status",
    );
    const out: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }
}
