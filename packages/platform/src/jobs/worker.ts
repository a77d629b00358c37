import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Job, JobQueue } from "./job-queue.js";

/** What a job kind does; its resolved value is stored as the job's result. Throwing retries it. */
export type JobHandler = (job: Job, signal: AbortSignal) => Promise<unknown>;

export interface WorkerOptions {
  handlers: Record<string, JobHandler>;
  /** Jobs run at once by this worker (each one its own claim). */
  concurrency?: number;
  leaseMs?: number;
  /** Wait between polls when the queue had nothing due. */
  idleMs?: number;
  id?: string;
  onError?: (error: unknown, job?: Job) => void;
}

/**
 * Runs due jobs off the request path: a few async loops, each claiming one job at a time. The
 * lease is renewed while a job runs; a job whose lease was lost (the worker stalled longer than the
 * lease) is aborted, since another worker owns it now.
 */
export class JobWorker {
  readonly id: string;
  private running = false;
  private loops: Promise<void>[] = [];
  private wake: (() => void) | undefined;
  private readonly controllers = new Set<AbortController>();

  constructor(
    private readonly queue: JobQueue,
    private readonly options: WorkerOptions,
  ) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const n = Math.max(1, this.options.concurrency ?? 1);
    this.loops = Array.from({ length: n }, () => this.loop());
  }

  /** Wakes idle loops now (after an enqueue on this replica). */
  poke(): void {
    this.wake?.();
  }

  /** Claims and runs due jobs until none is left; for tests and one-shot runs. */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.runOne()) n++;
    return n;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const c of this.controllers) c.abort();
    this.wake?.();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.runOne();
      } catch (e) {
        this.options.onError?.(e);
      }
      if (!worked && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, this.options.idleMs ?? 1_000);
          const previous = this.wake;
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.wake = () => {
            done();
            previous?.();
          };
        });
        this.wake = undefined;
      }
    }
  }

  /** Claims one due job and runs it; false when nothing was due. */
  async runOne(): Promise<boolean> {
    const leaseMs = this.options.leaseMs ?? 60_000;
    const kinds = Object.keys(this.options.handlers);
    const job = await this.queue.claim(this.id, kinds, leaseMs);
    if (!job) return false;
    const handler = this.options.handlers[job.kind];
    const controller = new AbortController();
    this.controllers.add(controller);
    const renew = setInterval(
      () => {
        void this.queue.heartbeat(job.id, this.id, leaseMs).then(
          (held) => {
            if (!held) controller.abort();
          },
          () => {},
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      const result = await handler(job, controller.signal);
      await this.queue.complete(job.id, this.id, result);
    } catch (e) {
      this.options.onError?.(e, job);
      await this.queue.fail(job.id, this.id, e instanceof Error ? e.message : String(e)).catch(() => undefined);
    } finally {
      clearInterval(renew);
      this.controllers.delete(controller);
    }
    return true;
  }
}
