import type { LifecycleStore, ProductConfig } from "../harness/lifecycle-store.js";
import type { Database } from "../storage/database.js";
import { type ContractTestPayload, contractTestKind } from "./contract-test.js";
import type { Job, JobQueue } from "./job-queue.js";
import { contractSchedule, currentSlot, parseSchedule, type Schedule } from "./schedule.js";
import { TestRunRepository } from "./test-run-repository.js";

export interface TestablePort {
  productId: string;
  port: string;
  schedule: Schedule;
}

export interface SchedulerOptions {
  /** How often the scheduler looks for due tests. */
  tickMs?: number;
  /** Finished jobs older than this are deleted by the tick. */
  keepJobsMs?: number;
  onError?: (e: unknown) => void;
}

/** A product owner's `configure { testSchedule }` wins over the SLA. */
function scheduleOf(sla: unknown, config: ProductConfig): Schedule {
  if (config.testSchedule) {
    const parsed = parseSchedule(config.testSchedule);
    if (!("error" in parsed)) return parsed;
  }
  return contractSchedule({ slaProperties: sla });
}

/**
 * Enqueues each due contract test once per slot. Every replica runs a scheduler; the job key
 * (`contract-test:<product>:<port>:<slot>`) makes the enqueue idempotent, so N replicas create one
 * job per slot. Only active products are tested, only ports whose contract has a local server.
 */
export class ContractTestScheduler {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<number> | undefined;

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly lifecycle: LifecycleStore,
    private readonly options: SchedulerOptions = {},
  ) {}

  /** Output ports of products that run tests, with the schedule each one is tested on. */
  async testablePorts(): Promise<TestablePort[]> {
    const products = new Map((await this.lifecycle.testable()).map((p) => [p.productId, p.config]));
    if (products.size === 0) return [];
    const { rows } = await this.db.query<{ productId: string; port: string; sla: unknown }>(
      `SELECT pt.product_id AS "productId", pt.name AS port, cv.document -> 'slaProperties' AS sla
       FROM ports pt
       JOIN contracts c ON c.id = pt.contract_id AND c.product_id = pt.product_id
       JOIN contract_versions cv ON cv.contract_id = c.id AND cv.version = COALESCE(pt.version, c.version)
       WHERE pt.direction = 'output' AND jsonb_typeof(cv.document -> 'servers') = 'array'
         AND EXISTS (SELECT 1 FROM jsonb_array_elements(cv.document -> 'servers') s WHERE s ->> 'type' = 'local')
       ORDER BY pt.product_id, pt.name`,
    );
    return rows.flatMap((r) => {
      const config = products.get(r.productId);
      return config ? [{ productId: r.productId, port: r.port, schedule: scheduleOf(r.sla, config) }] : [];
    });
  }

  /**
   * One pass: enqueue the current slot of every testable port, mark runs left behind by dead
   * workers `abandoned`, delete old finished jobs; returns how many jobs were created.
   */
  async tick(now: Date = new Date()): Promise<number> {
    let created = 0;
    for (const p of await this.testablePorts()) {
      const slot = currentSlot(p.schedule, now).toISOString();
      const payload: ContractTestPayload = { productId: p.productId, port: p.port, trigger: "schedule" };
      const r = await this.queue.enqueue({
        kind: contractTestKind,
        key: `${contractTestKind}:${p.productId}:${p.port}:${slot}`,
        payload: { ...payload, slot },
      });
      if (r.created) created++;
    }
    await new TestRunRepository(this.db).abandonOrphans();
    await this.db.query(
      "DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < now() - ($1::double precision * interval '1 millisecond')",
      [this.options.keepJobsMs ?? 7 * 86_400_000],
    );
    return created;
  }

  /**
   * Tests now, whatever the schedule (start of the demo, an owner starting a product): one job per
   * port. It takes the current slot's key when that slot has no job yet, so the next tick does not
   * test the same port again.
   */
  async testNow(
    productIds: readonly string[],
    trigger: string,
    at: Date = new Date(),
    /** Told each job this call queued (start-up reports when they have all ended). */
    onQueued?: (job: Job) => void,
  ): Promise<number> {
    const wanted = new Set(productIds);
    let created = 0;
    for (const p of await this.testablePorts()) {
      if (!wanted.has(p.productId)) continue;
      const slot = currentSlot(p.schedule, at).toISOString();
      const payload: ContractTestPayload = { productId: p.productId, port: p.port, trigger };
      const first = await this.queue.enqueue({
        kind: contractTestKind,
        key: `${contractTestKind}:${p.productId}:${p.port}:${slot}`,
        payload: { ...payload, slot },
      });
      const r = first.created
        ? first
        : await this.queue.enqueue({
            kind: contractTestKind,
            key: `${contractTestKind}:${p.productId}:${p.port}:${trigger}:${at.toISOString()}`,
            payload: { ...payload },
          });
      if (r.created) {
        created++;
        onQueued?.(r.job);
      }
    }
    return created;
  }

  start(onCreated?: (n: number) => void): void {
    if (this.timer) return;
    const run = () => {
      if (this.ticking) return;
      this.ticking = this.tick()
        .then((n) => {
          if (n > 0) onCreated?.(n);
          return n;
        })
        .catch((e: unknown) => {
          this.options.onError?.(e);
          return 0;
        })
        .finally(() => {
          this.ticking = undefined;
        });
    };
    run();
    this.timer = setInterval(run, this.options.tickMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }
}
