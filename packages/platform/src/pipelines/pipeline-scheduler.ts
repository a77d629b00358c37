import { ConflictError } from "@quanta/core";
import type { JobQueue } from "../jobs/job-queue.js";
import { currentSlotIn, parseCron } from "../jobs/schedule.js";
import type { JobHandler } from "../jobs/worker.js";
import type { Lake } from "../lake/lake.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { Database } from "../storage/database.js";
import { currentPipeline } from "./pipeline-declaration.js";
import { PipelineService } from "./pipeline-service.js";

/** The job kind a due schedule slot is: its handler queues the run (ADR 0029). */
export const pipelineScheduleKind = "pipeline-schedule";

export interface PipelineSchedulePayload {
  productId: string;
  slot: string;
}

/** A slot is enqueued only while it is this fresh: a slot missed while no replica ran is not caught up. */
const freshMs = 5 * 60_000;

/**
 * Queues the scheduled runs of pipelines (`schedule: { cron, timezone }`). Every replica ticks; the
 * job key `pipeline-schedule:<product>:<slot>` makes each slot one job across replicas, and that
 * job queues the run (skipped, logged, when a run of the product is in progress).
 */
export class PipelineScheduler {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<number> | undefined;
  /** Schedules by product version: a version's pipeline never changes. */
  private readonly schedules = new Map<string, { cron: string; timezone: string } | null>();

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly options: { tickMs?: number; onError?: (e: unknown) => void } = {},
  ) {}

  /** Enqueues the due slots at `now`; answers how many jobs this call created. */
  async tick(now = new Date()): Promise<number> {
    let created = 0;
    for (const { id, version } of await new ProductRepository(this.db).scheduledPipelineCandidates()) {
      const key = `${id}@${version}`;
      if (!this.schedules.has(key))
        this.schedules.set(key, (await currentPipeline(this.db, id))?.pipeline.schedule ?? null);
      const schedule = this.schedules.get(key);
      if (!schedule) continue;
      const cron = parseCron(schedule.cron);
      if ("error" in cron) continue;
      const slot = currentSlotIn(cron, now, schedule.timezone);
      if (now.getTime() - slot.getTime() > freshMs) continue;
      const payload: PipelineSchedulePayload = { productId: id, slot: slot.toISOString() };
      const { created: made } = await this.queue.enqueue({
        kind: pipelineScheduleKind,
        key: `${pipelineScheduleKind}:${id}:${payload.slot}`,
        payload: { ...payload },
        maxAttempts: 1,
      });
      if (made) created++;
    }
    return created;
  }

  start(poke: () => void = () => {}): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = this.tick()
        .then((n) => {
          if (n > 0) poke();
          return n;
        })
        .catch((e: unknown) => {
          this.options.onError?.(e);
          return 0;
        })
        .finally(() => {
          this.ticking = undefined;
        });
    }, this.options.tickMs ?? 30_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }
}

/** The handler of a due slot: queues the run, or does nothing while one is in progress. */
export function pipelineScheduleHandler(db: Database, lake: Lake): JobHandler {
  return async (job) => {
    const { productId, slot } = job.payload as unknown as PipelineSchedulePayload;
    const version = (await new ProductRepository(db).current(productId))?.version;
    if (!version) return { skipped: "no such product" };
    try {
      const run = await new PipelineService(db, lake).enqueue(productId, version, "schedule", `schedule ${slot}`);
      return { run: run.id };
    } catch (e) {
      if (e instanceof ConflictError) return { skipped: e.message };
      throw e;
    }
  };
}
