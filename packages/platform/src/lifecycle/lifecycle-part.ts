import type { BackgroundContext, BackgroundPart } from "../harness/background-part.js";
import { checkLifecycle, type LifecycleCheck } from "./lifecycle-check.js";

/** A check as its job's result records it. */
const summary = (r: LifecycleCheck) => ({
  announced: r.announced.map((d) => ({ ...d, at: d.at.toISOString() })),
  marked: r.marked,
  expired: r.expired.map((v) => ({ productId: v.productId, port: v.port, version: v.version })),
  rows: r.rows,
  stopped: r.stopped,
});

export const lifecycleCheckKind = "lifecycle-check";
/** Once a day: rows past a retention's element leave the current versions (a scan of the data). */
export const lifecycleRowsKind = "lifecycle-rows";
export const defaultLifecycleIntervalMs = 5 * 60_000;

export interface LifecyclePartOptions {
  /** The clock the dates are compared with (tests move it). */
  now?: () => Date;
  /** How often the dates are checked (default 5 minutes). */
  intervalMs?: number;
}

/**
 * Lifecycle dates: end of support and end of life passing, retention expiring. On start and every
 * interval each replica enqueues one `lifecycle-check` job keyed on the time slot (and one
 * `lifecycle-rows` job keyed on the day, the pass that scans data), so N replicas make one job per
 * slot; the job itself is idempotent too (notices are claimed, versions expire
 * under the port's lock), so a slot run twice announces nothing twice.
 */
export function lifecyclePart(ctx: BackgroundContext, options: LifecyclePartOptions = {}): BackgroundPart {
  const now = options.now ?? (() => new Date());
  const interval = Math.max(1_000, options.intervalMs ?? defaultLifecycleIntervalMs);
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  const tick = async () => {
    const slot = new Date(Math.floor(now().getTime() / interval) * interval).toISOString();
    const { created } = await ctx.queue.enqueue({
      kind: lifecycleCheckKind,
      key: `${lifecycleCheckKind}:${slot}`,
      payload: { slot },
      maxAttempts: 2,
    });
    const day = now().toISOString().slice(0, 10);
    const rows = await ctx.queue.enqueue({
      kind: lifecycleRowsKind,
      key: `${lifecycleRowsKind}:${day}`,
      payload: { day },
      maxAttempts: 2,
    });
    if (created || rows.created) ctx.poke();
  };
  const run = () => {
    if (ticking) return;
    ticking = true;
    void tick()
      .catch((e: unknown) => ctx.log(`lifecycle: ${(e as Error)?.message ?? e}`))
      .finally(() => {
        ticking = false;
      });
  };
  return {
    handlers: {
      [lifecycleCheckKind]: async () =>
        summary(await checkLifecycle(ctx.db, ctx.lake, now(), ctx.log, { rows: false })),
      [lifecycleRowsKind]: async () => summary(await checkLifecycle(ctx.db, ctx.lake, now(), ctx.log, { rows: true })),
    },
    start() {
      run();
      timer = setInterval(run, interval);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
    },
  };
}
