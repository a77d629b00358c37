import type { z } from "@hono/zod-openapi";
import { withoutSamples } from "@quanta/core";
import { type TestRun, TestRunRepository } from "../jobs/test-run-repository.js";
import type { Lake } from "../lake/lake.js";
import type { VersionSummary } from "../lake/port-version-store.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import { arr, obj, str } from "../registry/read.js";
import type { Database } from "../storage/database.js";
import type { Lifecycle } from "./lifecycle-store.js";
import type { ObservationSchema } from "./observation-schema.js";
import { UsageRepository } from "./usage-repository.js";

export type Observation = z.infer<typeof ObservationSchema>;
export type CheckSummary = Observation["tests"]["latest"][number]["checks"][number];
export type PortSli = Observation["slis"][number];
export type FreshnessStatus = PortSli["freshness"]["status"];

const windowDays = 30;

/** A check's reason as this reader may see it: without the offending values it names, unless they may. */
function shownReason(reason: string, sampleValues: boolean): string {
  if (sampleValues) return reason;
  const shown = withoutSamples(reason);
  return shown.hidden ? `${shown.reason}; the values are shown to the owner team only` : reason;
}

/** A measured age: a finite number (a check that could not read the data stores null, not 0). */
const ageOf = (c: CheckSummary): number | undefined => {
  if (c.value === null || c.value === undefined || c.value === "") return undefined;
  const n = Number(c.value);
  return Number.isFinite(n) ? n : undefined;
};

/**
 * The freshness SLI from the last run's freshness checks. Missed as soon as one measured age breaks
 * the objective; met only when every check measured an age within it; otherwise unknown, with the
 * reason of the check (or of the run) that measured nothing.
 */
function freshnessOf(
  last: TestRun | undefined,
  checks: readonly CheckSummary[],
  hasObjective: boolean,
): Pick<PortSli["freshness"], "status" | "ageSeconds" | "met" | "measuredAt" | "reason"> {
  const unknown = (reason: string) => ({
    status: "unknown" as const,
    ageSeconds: null,
    met: null,
    measuredAt: null,
    reason,
  });
  const fresh = checks.filter((c) => c.checkId.startsWith("sla.") && /freshness|latency/i.test(c.checkId));
  if (!hasObjective && fresh.length === 0) return unknown("the contract sets no freshness objective");
  if (!last) return unknown("no contract test has run yet");
  const measured = fresh.filter((c) => ageOf(c) !== undefined);
  const ages = measured.map((c) => ageOf(c) as number);
  const known = {
    ageSeconds: ages.length > 0 ? Math.max(...ages) : null,
    measuredAt: ages.length > 0 ? last.finishedAt : null,
  };
  if (measured.some((c) => c.status === "failed" || c.status === "warning"))
    return { status: "missed", met: false, reason: null, ...known };
  const unmeasured = fresh.find((c) => ageOf(c) === undefined || c.status === "error");
  if (fresh.length > 0 && !unmeasured) return { status: "met", met: true, reason: null, ...known };
  const why = unmeasured
    ? (unmeasured.reason ?? `check ${unmeasured.checkId} measured no age (${unmeasured.status})`)
    : (checks.find((c) => c.status === "error")?.reason ?? `the last run measured no freshness (${last.status})`);
  return unknown(`the data's age could not be measured: ${why}`);
}

function slaOf(contract: unknown, property: string): { value: unknown; unit: string | null } | undefined {
  const entry = arr(obj(contract)?.slaProperties)
    .map(obj)
    .find((p) => str(p?.property)?.toLowerCase() === property);
  return entry ? { value: entry.value, unit: str(entry.unit) ?? null } : undefined;
}

/** The observe interface: who read what, how the contract tests went, and the SLIs they add up to. */
export async function observe(
  db: Database,
  productId: string,
  life: Lifecycle,
  lake: Lake | undefined,
  options: { perConsumer: boolean; sampleValues?: boolean },
): Promise<Observation> {
  const product = await new ProductRepository(db).get(productId);
  const ports = (product?.ports ?? []).filter((p) => p.direction === "output" && p.contractId);
  const runs = new TestRunRepository(db);
  const [byConsumer, history, recentUsage, batches, quarantine, windowRuns, versions] = await Promise.all([
    new UsageRepository(db).byConsumer(productId),
    runs.latest(productId, 50),
    db.query<Observation["usage"]["recent"][number]>(
      `SELECT at, consumer, port, action, rows, bytes, duration_ms AS "durationMs"
       FROM usage_records WHERE product_id = $1 ORDER BY id DESC LIMIT 20`,
      [productId],
    ),
    db.query<Observation["ingest"]["batches"][number]>(
      // The version number is port_versions' (lake/): read with the batch, in one statement.
      `SELECT b.id, b.at, b.port, b.dataset, b.received, b.accepted, b.quarantined, v.version
       FROM ingest_batches b LEFT JOIN port_versions v ON v.id = b.port_version
       WHERE b.product_id = $1 ORDER BY b.id DESC LIMIT 20`,
      [productId],
    ),
    db.query<{ n: number }>(
      "SELECT COALESCE(sum(quarantined), 0)::int AS n FROM ingest_batches WHERE product_id = $1",
      [productId],
    ),
    db.query<{ contractId: string; runs: number; readable: number; finished: number; passed: number }>(
      `SELECT contract_id AS "contractId", count(*)::int AS runs,
         count(*) FILTER (WHERE status NOT IN ('error', 'running', 'abandoned'))::int AS readable,
         count(*) FILTER (WHERE status NOT IN ('running', 'abandoned'))::int AS finished,
         count(*) FILTER (WHERE status IN ('passed', 'warning'))::int AS passed
       FROM test_runs WHERE product_id = $1 AND started_at >= now() - ($2::int * interval '1 day')
       GROUP BY contract_id`,
      [productId, windowDays],
    ),
    lake?.versions.ports(db, productId),
  ]);
  const portOf = (contractId: string) => ports.find((p) => p.contractId === contractId)?.name ?? null;
  const latestByContract = new Map<string, TestRun>();
  for (const r of history)
    if (!latestByContract.has(r.contractId) && r.status !== "running" && r.status !== "abandoned")
      latestByContract.set(r.contractId, r);
  const latest: Observation["tests"]["latest"] = [];
  const checksOf = new Map<number, CheckSummary[]>();
  for (const r of latestByContract.values()) {
    const checks = (await runs.results(r.id)).map((c) => ({
      checkId: c.checkId,
      dataset: c.dataset ?? null,
      status: c.status,
      value: c.value ?? null,
      threshold: c.threshold ?? null,
      reason: c.reason === undefined || c.reason === null ? null : shownReason(c.reason, options.sampleValues === true),
    }));
    checksOf.set(r.id, checks);
    latest.push({ ...r, port: portOf(r.contractId), checks });
  }
  const contracts = new ContractRepository(db);
  const slis: PortSli[] = [];
  for (const p of ports) {
    const contractId = p.contractId as string;
    const doc = p.version ? (await contracts.version(contractId, p.version))?.document : undefined;
    const last = latestByContract.get(contractId);
    const freshnessSla = slaOf(doc, "freshness") ?? slaOf(doc, "latency");
    const availabilitySla = slaOf(doc, "availability");
    const w = windowRuns.rows.find((r) => r.contractId === contractId);
    slis.push({
      port: p.name,
      contractId,
      freshness: {
        objective: freshnessSla ? `${String(freshnessSla.value)} ${freshnessSla.unit ?? "d"}` : null,
        ...freshnessOf(last, last ? (checksOf.get(last.id) ?? []) : [], freshnessSla !== undefined),
      },
      availability: {
        objective:
          availabilitySla && Number.isFinite(Number(availabilitySla.value)) ? Number(availabilitySla.value) : null,
        windowDays,
        runs: w?.finished ?? 0,
        readable: w?.readable ?? 0,
        ratio: w && w.finished > 0 ? Math.round((10_000 * w.readable) / w.finished) / 100 : null,
      },
      quality: {
        runs: w?.finished ?? 0,
        passed: w?.passed ?? 0,
        ratio: w && w.finished > 0 ? Math.round((10_000 * w.passed) / w.finished) / 100 : null,
      },
      lastRun: last
        ? { id: last.id, status: last.status, startedAt: last.startedAt, finishedAt: last.finishedAt }
        : null,
    });
  }
  const total = byConsumer.reduce(
    (t, c) => ({ reads: t.reads + c.reads, rows: t.rows + Number(c.rows), bytes: t.bytes + Number(c.bytes) }),
    { reads: 0, rows: 0, bytes: 0 },
  );
  return {
    productId,
    lifecycle: { state: life.state, servesReads: life.servesReads, runsTests: life.runsTests },
    usage: {
      total,
      byConsumer: options.perConsumer
        ? byConsumer.map((c) => ({ ...c, rows: Number(c.rows), bytes: Number(c.bytes) }))
        : [],
      recent: options.perConsumer ? recentUsage.rows : [],
    },
    tests: { latest, history },
    slis,
    ingest: { batches: batches.rows, quarantinedRows: quarantine.rows[0]?.n ?? 0 },
    ...(versions
      ? {
          data: (product?.ports ?? [])
            .filter((p) => p.direction !== "management")
            .map((p) => {
              const v = versions.get(p.name);
              // A failed version's reason may name offending values: the owner team's to see only.
              const shown = (s: VersionSummary): VersionSummary =>
                s.reason === null ? s : { ...s, reason: shownReason(s.reason, options.sampleValues === true) };
              return {
                port: p.name,
                direction: p.direction,
                current: v?.current ? shown(v.current) : null,
                history: (v?.history ?? []).map(shown),
              };
            }),
        }
      : {}),
  };
}
