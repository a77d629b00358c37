import { NotFoundError, secondsPerUnit } from "@quanta/core";
import { arr, type Obj, obj, str } from "../../registry/read.js";
import type { Queryable } from "../../storage/database.js";
import type { IncidentSeverity } from "../incidents.js";
import { type BurnWindow, burnWindows, countEvents, type SloCounts, type SloFigures, sloFigures } from "./slo-maths.js";

export const sloProperties = [
  "freshness",
  "latency",
  "availability",
  "quality",
  "frequency",
  "retention",
  "throughput",
  "errorRate",
] as const;
export type SloProperty = (typeof sloProperties)[number];

export type SloUnit = "runs" | "minutes" | "probes" | "reads" | "updates";

/** One objective of one port, as GET /api/products/{id}/slos answers it. */
export interface Objective {
  port: string;
  property: SloProperty;
  objective: string;
  target: number;
  sli: number | null;
  good: number;
  total: number;
  unit: SloUnit;
  budget: SloFigures["budget"];
  burnRate: Record<BurnWindow, number | null>;
  status: SloFigures["status"];
  reason: string | null;
  /** The SLA's `driver` (regulatory, operational, analytics), null when it names none. */
  driver: string | null;
}

/** An objective and what evaluation needs beside it. */
export interface EvaluatedObjective extends Objective {
  burning: boolean;
  severity: IncidentSeverity;
}

export interface ProductSlos {
  productId: string;
  windowDays: number;
  objectives: Objective[];
}

/** The share of events a run-, update- or read-based objective must get right (ADR 0039). */
export const defaultTarget = 0.95;
export const defaultWindowDays = 30;
export const maxWindowDays = 366;

/** The rolling window: QUANTA_SLO_WINDOW_DAYS, else 30 days. A bad value is an operator's error. */
export function windowDaysFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.QUANTA_SLO_WINDOW_DAYS;
  if (raw === undefined || raw === "") return defaultWindowDays;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > maxWindowDays)
    throw new Error(`QUANTA_SLO_WINDOW_DAYS must be a whole number of days from 1 to ${maxWindowDays}, got "${raw}"`);
  return n;
}

/** One SLA property of a contract as written. */
interface SlaEntry {
  property: string;
  id: string | undefined;
  value: unknown;
  unit: string | undefined;
  element: string | undefined;
  driver: string | undefined;
}

function slaEntries(contract: unknown): SlaEntry[] {
  return arr(obj(contract)?.slaProperties)
    .map(obj)
    .filter((e): e is Obj => e !== undefined && str(e.property) !== undefined)
    .map((e) => ({
      property: str(e.property) as string,
      id: str(e.id),
      value: e.value,
      unit: str(e.unit),
      element: str(e.element),
      driver: str(e.driver)?.toLowerCase(),
    }));
}

/** The incident severity an SLA's driver gives its objective's burn. */
export function severityOf(driver: string | undefined | null): IncidentSeverity {
  if (driver === "regulatory") return "critical";
  if (driver === "operational") return "high";
  return "medium";
}

/** A percent (99.9 with unit percent, or no unit and above 1) or a ratio (0.999) as a ratio. */
function ratioOf(value: unknown, unit: string | undefined): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) return undefined;
  const u = unit?.trim().toLowerCase();
  const percent = u === "percent" || u === "%" || u === "pct" || (u === undefined && n > 1);
  const r = percent ? n / 100 : n;
  return r <= 1 ? r : undefined;
}

const numberOf = (value: unknown): number | undefined => {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};

/** `rows/s`, `rows per minute`, `/h`, `rps`: rows per second in one of them, else undefined. */
function rowsPerSecond(value: number, unit: string | undefined): number | undefined {
  const u = (unit ?? "rows/s").trim().toLowerCase();
  if (u === "rps") return value;
  const m = /^(?:rows?|records?)?\s*(?:\/|per\s+)\s*([a-z]+)$/.exec(u);
  const seconds = m?.[1] ? secondsPerUnit(m[1]) : undefined;
  return seconds === undefined ? undefined : value / seconds;
}

const pct = (r: number) => `${Math.round(r * 100_000) / 1000}%`;

/** The events of one objective, each at a time and good or bad, as SQL over (at, good): $1 now, $2 days. */
async function tally(q: Queryable, events: string, params: unknown[], now: Date, windowDays: number) {
  const { rows } = await q.query<Record<string, number>>(
    `SELECT count(*) FILTER (WHERE good)::int AS good, count(*)::int AS total,
       ${burnWindows
         .map((w) => {
           const since = `$1::timestamptz - interval '${w.replace("h", " hours")}'`;
           return `count(*) FILTER (WHERE good AND at > ${since})::int AS "good${w}",
         count(*) FILTER (WHERE at > ${since})::int AS "total${w}"`;
         })
         .join(",\n       ")}
     FROM (${events}) ev
     WHERE at > $1::timestamptz - ($2::int * interval '1 day') AND at <= $1::timestamptz`,
    [now.toISOString(), windowDays, ...params],
  );
  const r = rows[0] ?? {};
  const n = (k: string) => Number(r[k] ?? 0);
  return {
    window: { good: n("good"), total: n("total") },
    recent: Object.fromEntries(burnWindows.map((w) => [w, { good: n(`good${w}`), total: n(`total${w}`) }])) as Record<
      BurnWindow,
      { good: number; total: number }
    >,
  } satisfies SloCounts;
}

interface PortRow {
  port: string;
  contractId: string;
  version: string | null;
}

/** A port's contract document: the version it names, else the newest published. */
async function contractOf(q: Queryable, p: PortRow): Promise<unknown> {
  const { rows } = await q.query<{ document: unknown }>(
    `SELECT document FROM contract_versions WHERE contract_id = $1
     ORDER BY (version = $2) DESC, published_at DESC LIMIT 1`,
    [p.contractId, p.version],
  );
  return rows[0]?.document;
}

/** Every objective of every output port of the product, measured over the window before `now`. */
export async function evaluateProduct(
  q: Queryable,
  productId: string,
  options: { windowDays?: number; now?: Date } = {},
): Promise<EvaluatedObjective[]> {
  const windowDays = options.windowDays ?? windowDaysFromEnv();
  const now = options.now ?? new Date();
  const { rows: ports } = await q.query<PortRow>(
    `SELECT name AS port, contract_id AS "contractId", version FROM ports
     WHERE product_id = $1 AND direction = 'output' AND contract_id IS NOT NULL ORDER BY name`,
    [productId],
  );
  const out: EvaluatedObjective[] = [];
  for (const p of ports) {
    const entries = slaEntries(await contractOf(q, p));
    const objective = (
      property: SloProperty,
      entry: SlaEntry | undefined,
      text: string,
      target: number,
      unit: SloUnit,
      counts: SloCounts | undefined,
      unmeasured: string,
    ) => {
      const f = counts
        ? sloFigures(counts, target, unmeasured)
        : sloFigures(
            { window: { good: 0, total: 0 }, recent: { "1h": empty, "6h": empty, "24h": empty } },
            target,
            unmeasured,
          );
      out.push({
        port: p.port,
        property,
        objective: text,
        target,
        sli: f.sli,
        good: f.good,
        total: f.total,
        unit,
        budget: f.budget,
        burnRate: f.burnRate,
        status: f.status,
        reason: f.reason,
        driver: entry?.driver ?? null,
        burning: f.burning,
        severity: severityOf(entry?.driver),
      });
    };
    const runParams = [productId, p.contractId];
    // Measured from the data by each contract test: the newest row's age (freshness, latency), the
    // oldest row's (retention: nothing kept past it).
    for (const property of ["freshness", "latency", "retention"] as const) {
      const entry = entries.find((e) => e.property.toLowerCase() === property);
      if (!entry) continue;
      const age = `${String(entry.value)} ${entry.unit ?? "d"}`;
      const text =
        property === "retention"
          ? `no row older than ${age} is kept, in ${pct(defaultTarget)} of contract test runs`
          : `the data's age is at most ${age} in ${pct(defaultTarget)} of contract test runs`;
      if (!entry.element) {
        objective(
          property,
          entry,
          text,
          defaultTarget,
          "runs",
          undefined,
          `the ${property} SLA names no element, so no contract test measures it`,
        );
        continue;
      }
      const prefix = `sla.${entry.id ?? property}.`;
      // Runs whose SLA checks measured an age: good when every one met it (an error measured nothing).
      const counts = await tally(
        q,
        `SELECT r.finished_at AS at, bool_and(c.status = 'passed') AS good
         FROM test_runs r JOIN check_results c ON c.run_id = r.id
         WHERE r.product_id = $3 AND r.contract_id = $4 AND r.finished_at IS NOT NULL
           AND (left(c.check_id, length($5)) = $5 OR c.check_id = $6)
           AND c.status IN ('passed', 'warning', 'failed')
         GROUP BY r.id, r.finished_at`,
        [...runParams, prefix, entry.id ?? prefix],
        now,
        windowDays,
      );
      objective(
        property,
        entry,
        text,
        defaultTarget,
        "runs",
        counts,
        `no contract test measured the data's age in the last ${windowDays} days`,
      );
    }
    {
      const counts = await tally(
        q,
        `SELECT finished_at AS at, status IN ('passed', 'warning') AS good FROM test_runs
         WHERE product_id = $3 AND contract_id = $4 AND finished_at IS NOT NULL
           AND status IN ('passed', 'warning', 'failed')`,
        runParams,
        now,
        windowDays,
      );
      objective(
        "quality",
        undefined,
        `${pct(defaultTarget)} of finished contract test runs pass`,
        defaultTarget,
        "runs",
        counts,
        `no contract test finished (passed or failed) in the last ${windowDays} days`,
      );
    }
    const availability = entries.find((e) => e.property.toLowerCase() === "availability");
    if (availability) {
      const target = ratioOf(availability.value, availability.unit);
      if (target === undefined)
        objective(
          "availability",
          availability,
          `availability ${String(availability.value)} ${availability.unit ?? ""}`.trim(),
          1,
          "probes",
          undefined,
          `the availability SLA's value ${JSON.stringify(availability.value)} is no percent`,
        );
      else {
        const counts = await tally(
          q,
          "SELECT at, up AS good FROM slo_probes WHERE product_id = $3 AND port = $4",
          [productId, p.port],
          now,
          windowDays,
        );
        objective(
          "availability",
          availability,
          `the port answers ${pct(target)} of probes of its serving path`,
          target,
          "probes",
          counts,
          `no probe of the port's serving path in the last ${windowDays} days`,
        );
      }
    }
    const frequency = entries.find((e) => e.property.toLowerCase() === "frequency");
    if (frequency) {
      const value = numberOf(frequency.value);
      const per = value === undefined ? undefined : secondsPerUnit(frequency.unit ?? "d");
      const text = `a new version at least every ${String(frequency.value)} ${frequency.unit ?? "d"} in ${pct(defaultTarget)} of updates`;
      if (value === undefined || per === undefined || value === 0)
        objective(
          "frequency",
          frequency,
          text,
          defaultTarget,
          "updates",
          undefined,
          `the frequency SLA's value or unit is not a duration (${String(frequency.value)} ${frequency.unit ?? ""})`,
        );
      else {
        const limitMs = value * per * 1000;
        const { rows: versions } = await q.query<{ at: Date | string }>(
          // New data only: a retention rewrite or a rollback makes a version current, not an update.
          `SELECT current_at AS at FROM port_versions
           WHERE product_id = $1 AND port = $2 AND current_at IS NOT NULL AND source NOT IN ('retention', 'rollback')
           ORDER BY current_at`,
          [productId, p.port],
        );
        const times = versions.map((v) => new Date(v.at));
        const events: { at: Date; good: boolean }[] = [];
        for (let i = 1; i < times.length; i++) {
          const at = times[i] as Date;
          events.push({ at, good: at.getTime() - (times[i - 1] as Date).getTime() <= limitMs });
        }
        // An update overdue now is a bad update already: the wait need not end to count.
        const last = times.at(-1);
        if (last && now.getTime() - last.getTime() > limitMs) events.push({ at: now, good: false });
        objective(
          "frequency",
          frequency,
          text,
          defaultTarget,
          "updates",
          countEvents(events, now, windowDays),
          times.length === 0
            ? "Quanta stores no version of this port (its data lies on its own server), so it cannot see updates"
            : `no new version of the port in the last ${windowDays} days, and none overdue yet`,
        );
      }
    }
    const throughput = entries.find((e) => e.property.toLowerCase() === "throughput");
    if (throughput) {
      const value = numberOf(throughput.value);
      const rps = value === undefined ? undefined : rowsPerSecond(value, throughput.unit);
      const text = `reads deliver at least ${String(throughput.value)} ${throughput.unit ?? "rows/s"} in ${pct(defaultTarget)} of reads`;
      if (rps === undefined || rps === 0)
        objective(
          "throughput",
          throughput,
          text,
          defaultTarget,
          "reads",
          undefined,
          `the throughput SLA's unit is not rows per time (${String(throughput.value)} ${throughput.unit ?? ""}; use rows/s, rows/m, rows/h)`,
        );
      else {
        const counts = await tally(
          q,
          `SELECT at, rows * 1000.0 / GREATEST(duration_ms, 1) >= $5 AS good FROM usage_records
           WHERE product_id = $3 AND port = $4 AND action = 'consume' AND rows > 0`,
          [productId, p.port, rps],
          now,
          windowDays,
        );
        objective(
          "throughput",
          throughput,
          text,
          defaultTarget,
          "reads",
          counts,
          `no read of the port returned rows in the last ${windowDays} days`,
        );
      }
    }
    const errorRate = entries.find((e) => e.property.toLowerCase() === "errorrate");
    if (errorRate) {
      const allowed = ratioOf(errorRate.value, errorRate.unit);
      if (allowed === undefined)
        objective(
          "errorRate",
          errorRate,
          `error rate ${String(errorRate.value)}`,
          1,
          "reads",
          undefined,
          `the errorRate SLA's value ${JSON.stringify(errorRate.value)} is no percent`,
        );
      else {
        const counts = await tally(
          q,
          `SELECT at, action = 'consume' AS good FROM usage_records
           WHERE product_id = $3 AND port = $4
             AND (action = 'consume'
               OR (action = 'consume-incomplete' AND coalesce(failure, 'serving') = 'serving')
               OR (action = 'consume-failed' AND failure = 'serving'))`,
          [productId, p.port],
          now,
          windowDays,
        );
        objective(
          "errorRate",
          errorRate,
          `at most ${pct(allowed)} of reads fail`,
          1 - allowed,
          "reads",
          counts,
          `no read of the port in the last ${windowDays} days`,
        );
      }
    }
  }
  return out;
}

const empty = { good: 0, total: 0 };

/** GET /api/products/{id}/slos: 404 for a product the registry does not hold. */
export async function productSlos(
  q: Queryable,
  productId: string,
  options: { windowDays?: number; now?: Date } = {},
): Promise<ProductSlos> {
  const { rows } = await q.query("SELECT 1 FROM data_products WHERE id = $1", [productId]);
  if (rows.length === 0) throw new NotFoundError(`no data product "${productId}"`);
  const windowDays = options.windowDays ?? windowDaysFromEnv();
  const objectives = await evaluateProduct(q, productId, { ...options, windowDays });
  return {
    productId,
    windowDays,
    objectives: objectives.map(({ burning: _b, severity: _s, ...o }) => o),
  };
}
