import { secondsPerUnit } from "@quanta/core";
import type { BackgroundContext, BackgroundPart } from "../../harness/background-part.js";
import { phaseAt, productDates, productPhase } from "../../lifecycle/product-dates.js";
import type { Database, Queryable } from "../../storage/database.js";
import { clear, raise } from "../incidents.js";
import { ProbeReaders, probePort, recordProbe } from "./probe.js";
import { evaluateProduct } from "./slo-service.js";

export const sloProbeKind = "slo-probe";
export const sloEvaluateKind = "slo-evaluate";
export const defaultProbeIntervalMs = 5 * 60_000;

/** QUANTA_PROBE_INTERVAL: seconds (`300`) or a duration (`5m`, `1h`); at least 10 s. */
export function probeIntervalMs(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return defaultProbeIntervalMs;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const per = m ? (m[2] ? secondsPerUnit(m[2]) : 1) : undefined;
  const ms = m && per !== undefined ? Number(m[1]) * per * 1000 : Number.NaN;
  if (!Number.isFinite(ms) || ms < 10_000)
    throw new Error(`QUANTA_PROBE_INTERVAL must be a duration of at least 10 s (300, 5m), got "${raw}"`);
  return ms;
}

/**
 * Opens an slo-burn incident for each objective burning fast, clears it once it burns no more.
 * Never throws for one objective's sake.
 */
export async function evaluateSlos(db: Database, productId: string, now = new Date()): Promise<void> {
  for (const o of await evaluateProduct(db, productId, { now })) {
    if (o.burning)
      await raise(db, {
        productId,
        port: o.port,
        kind: "slo-burn",
        key: o.property,
        severity: o.severity,
        title: `${o.port}: the ${o.property} objective's error budget burns ${o.burnRate["1h"] ?? "∞"}× too fast`,
        detail: {
          objective: o.objective,
          target: o.target,
          sli: o.sli,
          burnRate: o.burnRate,
          budget: o.budget,
          driver: o.driver,
        },
        observedAt: now,
      });
    else await clear(db, { productId, port: o.port, kind: "slo-burn", key: o.property }, now);
  }
}

/**
 * The ports the probes read: output ports with a contract, of products not stopped and not past
 * their end of life (a tombstone is not served, so there is no serving path to measure).
 */
export async function probedPorts(db: Queryable, now = new Date()): Promise<{ productId: string; port: string }[]> {
  const { rows } = await db.query<{ productId: string; port: string }>(
    `SELECT p.product_id AS "productId", p.name AS port FROM ports p
     LEFT JOIN product_lifecycle l ON l.product_id = p.product_id
     WHERE p.direction = 'output' AND p.contract_id IS NOT NULL AND COALESCE(l.state, 'active') <> 'stopped'
     ORDER BY 1, 2`,
  );
  const gone = new Set<string>();
  for (const product of await productDates(db)) {
    const tombstone = productPhase(product, now) === "end-of-life";
    for (const port of product.ports)
      if (tombstone || phaseAt(port.dates, now) === "end-of-life") gone.add(`${product.productId}\u0000${port.port}`);
  }
  return rows.filter((r) => !gone.has(`${r.productId}\u0000${r.port}`));
}

/**
 * Whether the port had data to serve by `at`: a version that had become current (a staged one is
 * not served yet), or a probe that read it.
 */
export async function hasServed(db: Queryable, productId: string, port: string, at = new Date()): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 WHERE EXISTS (SELECT 1 FROM port_versions WHERE product_id = $1 AND port = $2 AND current_at <= $3)
       OR EXISTS (SELECT 1 FROM slo_probes WHERE product_id = $1 AND port = $2 AND up AND at <= $3)`,
    [productId, port, at.toISOString()],
  );
  return rows.length > 0;
}

/** SLOs: the availability probes of the serving path, and evaluation after probes and contract tests. */
export function sloPart(ctx: BackgroundContext): BackgroundPart {
  let interval = defaultProbeIntervalMs;
  try {
    interval = probeIntervalMs(process.env.QUANTA_PROBE_INTERVAL);
  } catch (e) {
    ctx.log(`${(e as Error).message}; probing every 5 minutes`);
  }
  const timeoutMs = Math.min(10_000, interval / 2);
  const readers = new ProbeReaders(ctx.locator.tempDir());
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  // The newest finished test run this replica has seen: newer ones are evaluated (one job per run).
  let lastRun: number | undefined;
  const tick = async () => {
    const slot = new Date(Math.floor(Date.now() / interval) * interval);
    for (const p of await probedPorts(ctx.db))
      await ctx.queue.enqueue({
        kind: sloProbeKind,
        key: `${sloProbeKind}:${p.productId}:${p.port}:${slot.toISOString()}`,
        payload: { ...p, slot: slot.toISOString() },
        maxAttempts: 1,
      });
    const { rows } = await ctx.db.query<{ id: number; productId: string }>(
      `SELECT max(id)::int AS id, product_id AS "productId" FROM test_runs
       WHERE finished_at IS NOT NULL AND id > $1 GROUP BY product_id`,
      [lastRun ?? 0],
    );
    for (const r of rows) {
      if (lastRun !== undefined)
        await ctx.queue.enqueue({
          kind: sloEvaluateKind,
          key: `${sloEvaluateKind}:${r.productId}:run:${r.id}`,
          payload: { productId: r.productId },
          maxAttempts: 1,
        });
      lastRun = Math.max(lastRun ?? 0, r.id);
    }
    lastRun ??= 0;
    ctx.poke();
  };
  const run = () => {
    if (ticking) return;
    ticking = true;
    void tick()
      .catch((e: unknown) => ctx.log(`slo probes: ${(e as Error)?.message ?? e}`))
      .finally(() => {
        ticking = false;
      });
  };
  return {
    handlers: {
      [sloProbeKind]: async (job) => {
        const { productId, port, slot } = job.payload as { productId: string; port: string; slot: string };
        const began = new Date();
        const result = await probePort(ctx.db, ctx.locator, readers, productId, port, timeoutMs);
        // A port that had not served data when the probe began (its first pipeline run or upload was still
        // to come, or landing just then) is not yet up, not down.
        if (!result.up && !(await hasServed(ctx.db, productId, port, began))) return { ...result, recorded: false };
        await recordProbe(ctx.db, productId, port, new Date(slot), result);
        await evaluateSlos(ctx.db, productId);
        return result;
      },
      [sloEvaluateKind]: async (job) => {
        await evaluateSlos(ctx.db, (job.payload as { productId: string }).productId);
        return { evaluated: true };
      },
    },
    start() {
      run();
      // Contract tests are looked for more often than probes run: their burn is evaluated within 30 s.
      timer = setInterval(run, Math.min(interval, 30_000));
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await readers.close();
    },
  };
}
