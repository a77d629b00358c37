import { type TestRun, TestRunRepository } from "../jobs/test-run-repository.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import { arr, obj, str } from "../registry/read.js";
import type { Database } from "../storage/database.js";
import type { Lifecycle } from "./lifecycle-store.js";
import { type UsageByConsumer, UsageRepository } from "./usage-repository.js";

export interface CheckSummary {
  checkId: string;
  dataset: string | null;
  status: string;
  value: unknown;
  threshold: unknown;
  reason: string | null;
}

export interface PortSli {
  port: string;
  contractId: string;
  /** Age of the newest data as the last test measured it, against the SLA's freshness objective. */
  freshness: { objective: string | null; ageSeconds: number | null; met: boolean | null; measuredAt: string | null };
  /** Share of test runs in the window that could read the data (not `error`). */
  availability: { objective: number | null; windowDays: number; runs: number; readable: number; ratio: number | null };
  /** Share of finished test runs in the window that passed (or only warned). */
  quality: { runs: number; passed: number; ratio: number | null };
  lastRun: { id: number; status: string; startedAt: string; finishedAt: string | null } | null;
}

export interface Observation {
  productId: string;
  lifecycle: { state: string; servesReads: boolean; runsTests: boolean };
  usage: {
    total: { reads: number; rows: number; bytes: number };
    byConsumer: UsageByConsumer[];
    recent: {
      at: string;
      consumer: string;
      port: string | null;
      action: string;
      rows: number;
      bytes: number;
      durationMs: number;
    }[];
  };
  tests: {
    latest: (TestRun & { port: string | null; checks: CheckSummary[] })[];
    history: TestRun[];
  };
  slis: PortSli[];
  ingest: {
    batches: {
      id: number;
      at: string;
      port: string;
      dataset: string;
      received: number;
      accepted: number;
      quarantined: number;
    }[];
    quarantinedRows: number;
  };
}

const windowDays = 30;

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
  options: { perConsumer: boolean },
): Promise<Observation> {
  const product = await new ProductRepository(db).get(productId);
  const ports = (product?.ports ?? []).filter((p) => p.direction === "output" && p.contractId);
  const runs = new TestRunRepository(db);
  const [byConsumer, history, recentUsage, batches, quarantine, windowRuns] = await Promise.all([
    new UsageRepository(db).byConsumer(productId),
    runs.latest(productId, 50),
    db.query<Observation["usage"]["recent"][number]>(
      `SELECT at, consumer, port, action, rows, bytes, duration_ms AS "durationMs"
       FROM usage_records WHERE product_id = $1 ORDER BY id DESC LIMIT 20`,
      [productId],
    ),
    db.query<Observation["ingest"]["batches"][number]>(
      `SELECT id, at, port, dataset, received, accepted, quarantined
       FROM ingest_batches WHERE product_id = $1 ORDER BY id DESC LIMIT 20`,
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
      reason: c.reason ?? null,
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
    const fresh = (last ? (checksOf.get(last.id) ?? []) : []).filter(
      (c) => c.checkId.startsWith("sla.") && /freshness|latency/i.test(c.checkId),
    );
    const ages = fresh.map((c) => Number(c.value)).filter((v) => Number.isFinite(v));
    const freshnessSla = slaOf(doc, "freshness") ?? slaOf(doc, "latency");
    const availabilitySla = slaOf(doc, "availability");
    const w = windowRuns.rows.find((r) => r.contractId === contractId);
    slis.push({
      port: p.name,
      contractId,
      freshness: {
        objective: freshnessSla ? `${String(freshnessSla.value)} ${freshnessSla.unit ?? "d"}` : null,
        ageSeconds: ages.length > 0 ? Math.max(...ages) : null,
        met: fresh.length > 0 ? fresh.every((c) => c.status === "passed") : null,
        measuredAt: fresh.length > 0 ? (last?.finishedAt ?? null) : null,
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
  };
}
