import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Job, JobQueue } from "./job-queue.js";

/**
 * Thrown by a handler: the job failed and is due again after `delayMs` (while attempts remain),
 * instead of after the queue's own backoff.
 */
export class RetryJob extends Error {
  override readonly name = "RetryJob";
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/** What a job kind does; its resolved value is stored as the job's result. Throwing retries it. */
export type JobHandler = (job: Job, signal: AbortSignal) => Promise<unknown>;

export interface WorkerOptions {
  handlers: Record<string, JobHandler>;
  /** Jobs of each kind run at once by this worker (each one its own claim). */
  concurrency?: number;
  /** Per kind, instead of `concurrency`. */
  kindConcurrency?: Record<string, number>;
  leaseMs?: number;
  /** Wait between polls when the queue had nothing due. */
  idleMs?: number;
  /** How long `stop` waits for running jobs to end once they were told to. Default 10 s. */
  stopTimeoutMs?: number;
  id?: string;
  onError?: (error: unknown, job?: Job) => void;
}

/** Why a running job was told to stop: its handler sees it as `signal.reason`. */
export const stopReasons = {
  stopping: "the server is stopping",
  leaseLost: "the job's lease was lost to another worker",
} as const;

interface Running {
  job: Job;
  controller: AbortController;
  renew: NodeJS.Timeout;
}

/**
 * Runs due jobs off the request path: async loops, each claiming one job at a time. Each job kind
 * has loops of its own, so a long contract test never holds up a webhook delivery. The lease is
 * renewed while a job runs; a job whose lease was lost (the worker stalled longer than the lease)
 * is aborted, since another worker owns it now. Stopping aborts the running jobs, gives them back
 * to the queue for another replica, and waits a bounded time for them.
 */
export class JobWorker {
  readonly id: string;
  private running = false;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private readonly jobs = new Set<Running>();
  private unlisten: (() => void) | undefined;
  private readonly wakeTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly queue: JobQueue,
    private readonly options: WorkerOptions,
  ) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    // A job enqueued by this process wakes the idle loops when it is due (a second time shortly
    // after, for one enqueued in a transaction that had not committed yet); other replicas' jobs
    // are found by polling every `idleMs`.
    this.unlisten = this.queue.onEnqueued((runAt) => {
      const due = Math.max(0, runAt - Date.now());
      for (const ms of [due + 5, due + 100]) {
        const timer = setTimeout(() => {
          this.wakeTimers.delete(timer);
          this.poke();
        }, ms);
        timer.unref();
        this.wakeTimers.add(timer);
      }
    });
    this.loops = Object.keys(this.options.handlers).flatMap((kind) => {
      const n = Math.max(1, this.options.kindConcurrency?.[kind] ?? this.options.concurrency ?? 1);
      return Array.from({ length: n }, () => this.loop([kind]));
    });
  }

  /** Wakes idle loops now (after an enqueue on this replica). */
  poke(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /** Claims and runs due jobs until none is left; for tests and one-shot runs. */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.runOne()) n++;
    return n;
  }

  /**
   * Aborts the running jobs (their checks are interrupted) and gives each back to the queue, due
   * now, without using up an attempt: another replica runs it again. Resolves when the jobs have
   * ended, or after `timeoutMs`; a job still running then is left to its own devices, its lease no
   * longer renewed.
   */
  async stop(timeoutMs = this.options.stopTimeoutMs ?? 10_000): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.unlisten?.();
    this.unlisten = undefined;
    for (const t of this.wakeTimers) clearTimeout(t);
    this.wakeTimers.clear();
    const running = [...this.jobs];
    for (const r of running) {
      clearInterval(r.renew);
      r.controller.abort(new Error(stopReasons.stopping));
    }
    this.poke();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([
      Promise.all([...this.loops, ...running.map((r) => this.queue.release(r.job.id, this.id).catch(() => false))]),
      timedOut,
    ]);
    clearTimeout(timer);
    this.loops = [];
  }

  private async loop(kinds: readonly string[]): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.runOne(kinds);
      } catch (e) {
        this.options.onError?.(e);
      }
      if (!worked && this.running) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.wakers.delete(done);
            resolve();
          };
          const timer = setTimeout(done, this.options.idleMs ?? 1_000);
          this.wakers.add(done);
        });
      }
    }
  }

  /** Claims one due job (of `kinds`, default every kind this worker handles) and runs it; false when nothing was due. */
  async runOne(kinds: readonly string[] = Object.keys(this.options.handlers)): Promise<boolean> {
    const leaseMs = this.options.leaseMs ?? 60_000;
    const job = await this.queue.claim(this.id, kinds, leaseMs);
    if (!job) return false;
    if (this.stopping) {
      // Claimed while stopping: not ours to start any more.
      await this.queue.release(job.id, this.id).catch(() => false);
      return false;
    }
    const handler = this.options.handlers[job.kind];
    const controller = new AbortController();
    const renew = setInterval(
      () => {
        void this.queue.heartbeat(job.id, this.id, leaseMs).then(
          (held) => {
            if (!held) controller.abort(new Error(stopReasons.leaseLost));
          },
          () => {},
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    const running: Running = { job, controller, renew };
    this.jobs.add(running);
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      const result = await handler(job, controller.signal);
      await this.queue.complete(job.id, this.id, result);
    } catch (e) {
      this.options.onError?.(e, job);
      // Stopped by `stop`: the job was given back already (a retry here would use up an attempt).
      if (!controller.signal.aborted) {
        await this.queue
          .fail(
            job.id,
            this.id,
            e instanceof Error ? e.message : String(e),
            e instanceof RetryJob ? e.delayMs : undefined,
          )
          .catch(() => undefined);
      }
    } finally {
      clearInterval(renew);
      this.jobs.delete(running);
    }
    return true;
  }
}
