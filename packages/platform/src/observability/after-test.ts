import { buildChecks, type Check, type DatasetProfile } from "@quanta/core";
import type { ContractTestOutcome, ContractTestPayload } from "../jobs/contract-test.js";
import { arr, obj, str } from "../registry/read.js";
import type { Database } from "../storage/database.js";
import {
  type ColumnShape,
  defaultVolumeSettings,
  hasDrift,
  judgeVolume,
  type SchemaDrift,
  schemaDrift,
  type VolumeSettings,
} from "./detect.js";
import { clear, type IncidentKind, type IncidentSeverity, raise, type Signal } from "./incidents.js";
import { MeasurementStore } from "./measurement-store.js";

/** How far back a port's own history is read to judge its volume. */
const historyDays = 90;

/** Checks answered from introspection: the schema drift detection reports those faults instead. */
const schemaTypes = new Set(["objectExists", "propertyExists", "propertyType"]);

type Obj = Record<string, unknown>;

/** The columns a contract declares per dataset, with the physical type when it names one. */
export function declaredColumns(contract: unknown): Map<string, ColumnShape[]> {
  const out = new Map<string, ColumnShape[]>();
  for (const o of arr(obj(contract)?.schema)) {
    const name = str(obj(o)?.name);
    if (!name) continue;
    out.set(
      name,
      arr(obj(o)?.properties).flatMap((p) => {
        const col = str(obj(p)?.physicalName) ?? str(obj(p)?.name);
        return col ? [{ name: col, type: str(obj(p)?.physicalType) ?? "" }] : [];
      }),
    );
  }
  return out;
}

/** The port's volume settings from the product's `configure` settings (`observability.ports.<port>`). */
export function volumeSettings(config: unknown, port: string): VolumeSettings {
  const p = obj(obj(obj(obj(config)?.observability)?.ports)?.[port]);
  const sensitivity = p?.volumeSensitivity;
  const minHistory = p?.minHistory;
  return {
    sensitivity: typeof sensitivity === "number" && sensitivity > 0 ? sensitivity : defaultVolumeSettings.sensitivity,
    minHistory:
      typeof minHistory === "number" && Number.isInteger(minHistory) && minHistory >= 1
        ? minHistory
        : defaultVolumeSettings.minHistory,
  };
}

const describeDrift = (d: SchemaDrift): string =>
  [
    d.added.length ? `added ${d.added.map((c) => c.name).join(", ")}` : "",
    d.removed.length ? `missing ${d.removed.map((c) => c.name).join(", ")}` : "",
    d.retyped.length ? `retyped ${d.retyped.map((c) => `${c.name} ${c.from} → ${c.to}`).join(", ")}` : "",
  ]
    .filter(Boolean)
    .join("; ");

const profileShape = (p: DatasetProfile | undefined): ColumnShape[] | undefined =>
  p && p.columns.length > 0 ? p.columns.map((c) => ({ name: c.name, type: c.type })) : undefined;

/**
 * What follows a finished contract test: its measurements read for drift, anomalies, breaches and
 * failures; incidents opened, updated or resolved. Never throws for a detection's sake.
 */
export async function afterContractTest(
  db: Database,
  payload: ContractTestPayload,
  outcome: ContractTestOutcome,
): Promise<void> {
  const store = new MeasurementStore(db);
  const observation = await store.get(outcome.runId);
  if (!observation) return;
  const { productId, port } = observation;
  const at = new Date(observation.at);
  const context = await db.query<{
    document: Obj;
    contractVersion: string;
    config: unknown;
    currentAt: string | null;
  }>(
    `SELECT cv.document, r.contract_version AS "contractVersion", l.config,
       (SELECT current_at FROM port_versions v WHERE v.product_id = r.product_id AND v.port = $2
          AND v.state = 'current') AS "currentAt"
     FROM test_runs r
     JOIN contract_versions cv ON cv.contract_id = r.contract_id AND cv.version = r.contract_version
     LEFT JOIN product_lifecycle l ON l.product_id = r.product_id
     WHERE r.id = $1`,
    [outcome.runId, port],
  );
  const ctx = context.rows[0];
  if (!ctx) return;
  // The fault began when the version it reads landed, if that was before this run; else now.
  const landed = ctx.currentAt ? new Date(ctx.currentAt) : undefined;
  const startedAt = landed && landed <= at ? landed : at;
  const checks = new Map<string, Check>(buildChecks(ctx.document).map((c) => [c.key, c]));
  const results = await db.query<{
    checkId: string;
    dataset: string | null;
    status: string;
    value: unknown;
    threshold: unknown;
    reason: string | null;
  }>(
    `SELECT check_id AS "checkId", dataset, status, value, threshold, reason FROM check_results
     WHERE run_id = $1 ORDER BY check_id`,
    [outcome.runId],
  );
  const base = { productId, port, observedAt: at, startedAt };
  const signals: Signal[] = [];
  const healthy = new Map<IncidentKind, Set<string> | "all">();
  const judged = (kind: IncidentKind, key?: string) => {
    if (key === undefined) return healthy.set(kind, "all");
    const s = healthy.get(kind);
    if (s === "all") return;
    healthy.set(kind, (s ?? new Set()).add(key));
  };

  // Unreadable: nothing else can be judged from a run that could not read the data.
  const server = results.rows.find((r) => r.checkId === "server");
  const allErrored = results.rows.length > 0 && results.rows.every((r) => r.status === "error");
  if (observation.status === "error" && (server?.status === "error" || allErrored)) {
    await raise(db, {
      ...base,
      kind: "unreadable",
      key: "data",
      severity: "critical",
      title: `${productId}.${port}: the data could not be read`,
      detail: { runId: outcome.runId, reason: server?.reason ?? results.rows[0]?.reason ?? null },
    });
    return;
  }
  judged("unreadable");

  const profiles = observation.profiles ?? [];
  const introspected = new Set(profiles.filter((p) => p.columns.length > 0).map((p) => p.dataset));

  // Failed checks and freshness breaches.
  for (const r of results.rows) {
    const check = checks.get(r.checkId);
    const type = check?.type;
    const freshness =
      type === "freshness" || r.checkId.startsWith("sla.freshness") || r.checkId.startsWith("sla.latency");
    const kind: IncidentKind = freshness ? "freshness" : "check-failed";
    if (!freshness && type && schemaTypes.has(type) && r.dataset && introspected.has(r.dataset)) continue;
    if (r.status === "passed" || r.status === "skipped") {
      judged(kind, r.checkId);
      continue;
    }
    const severity: IncidentSeverity =
      r.status === "error" ? "high" : r.status === "warning" || check?.severity === "warning" ? "low" : "high";
    const name = check?.name ?? r.checkId;
    signals.push({
      ...base,
      kind,
      key: r.checkId,
      severity,
      title: freshness
        ? `${productId}.${port}: ${name} is breached`
        : `${productId}.${port}: ${name} ${r.status === "error" ? "could not run" : r.status === "warning" ? "warns" : "failed"}`,
      detail: {
        runId: outcome.runId,
        checkId: r.checkId,
        dataset: r.dataset,
        status: r.status,
        value: r.value ?? null,
        threshold: r.threshold ?? null,
        reason: r.reason,
        dimension: check?.dimension ?? null,
      },
    });
  }

  // Schema drift: against the contract, and against the last run of the same contract version.
  const declared = declaredColumns(ctx.document);
  const previous = await store.latest(productId, port, outcome.runId);
  const previousVersion = previous
    ? (await db.query<{ v: string }>("SELECT contract_version AS v FROM test_runs WHERE id = $1", [previous.runId]))
        .rows[0]?.v
    : undefined;
  for (const [dataset, expected] of declared) {
    const actual = profileShape(profiles.find((p) => p.dataset === dataset));
    if (!actual) continue;
    const vsContract = schemaDrift(expected, actual);
    const before =
      previousVersion === ctx.contractVersion
        ? profileShape(previous?.profiles?.find((p) => p.dataset === dataset))
        : undefined;
    // Against the last run, only a declared column's type changing counts: the contract judges
    // which columns belong, so data coming back to the contract's shape is healthy, not drift.
    const declaredNames = new Set(expected.map((c) => c.name.toLowerCase()));
    const onlyDeclared = (cols: ColumnShape[]) => cols.filter((c) => declaredNames.has(c.name.toLowerCase()));
    const vsLastRun = before
      ? { added: [], removed: [], retyped: schemaDrift(onlyDeclared(before), onlyDeclared(actual)).retyped }
      : undefined;
    const drifted = hasDrift(vsContract) || (vsLastRun !== undefined && hasDrift(vsLastRun));
    if (!drifted) {
      judged("schema-drift", dataset);
      continue;
    }
    const breaking = vsContract.removed.length + vsContract.retyped.length > 0;
    const what = hasDrift(vsContract)
      ? `${describeDrift(vsContract)} against the contract`
      : `${describeDrift(vsLastRun as SchemaDrift)} since the last run`;
    signals.push({
      ...base,
      kind: "schema-drift",
      key: dataset,
      severity: breaking ? "high" : "medium",
      title: `${productId}.${port}: the schema of ${dataset} drifted: ${what}`,
      detail: {
        runId: outcome.runId,
        dataset,
        contract: vsContract,
        ...(vsLastRun ? { lastRun: { runId: previous?.runId, ...vsLastRun } } : {}),
      },
    });
  }

  // Volume: the row count (and ingest batch size) against the port's own history.
  const settings = volumeSettings(ctx.config, port);
  const since = new Date(at.getTime() - historyDays * 86_400_000);
  const points = await store.ofRun(outcome.runId);
  const batched = new Set(points.filter((p) => p.metric === "batchRows").map((p) => p.dataset));
  for (const p of points) {
    if ((p.metric !== "rowCount" && p.metric !== "batchRows") || p.value === null) continue;
    const key = `${p.metric === "rowCount" ? "rows" : "batch"}:${p.dataset}`;
    const history = await store.history(productId, port, p.dataset, p.metric, since, outcome.runId);
    const verdict = judgeVolume(p.value, at, history.slice(-500), settings);
    if (verdict.verdict === "learning") continue;
    // A port ingest appends to grows by design: its total only alarms when it drops.
    const ignoreGrowth = p.metric === "rowCount" && batched.has(p.dataset);
    if (verdict.verdict === "normal" || (ignoreGrowth && verdict.verdict === "high")) {
      judged("volume-anomaly", key);
      continue;
    }
    const what = p.metric === "rowCount" ? `${p.dataset} has` : `the last batch of ${p.dataset} added`;
    signals.push({
      ...base,
      kind: "volume-anomaly",
      key,
      severity: verdict.verdict === "low" && p.value < verdict.median / 2 ? "high" : "medium",
      title: `${productId}.${port}: ${what} ${p.value} rows, usually ${verdict.median} (${verdict.verdict})`,
      detail: {
        runId: outcome.runId,
        dataset: p.dataset,
        metric: p.metric,
        value: p.value,
        median: verdict.median,
        mad: verdict.mad,
        score: Number.isFinite(verdict.score) ? verdict.score : null,
        sensitivity: settings.sensitivity,
        basis: verdict.basis,
        points: verdict.points,
      },
    });
  }

  for (const s of signals) await raise(db, s);
  const raised = new Set(signals.map((s) => `${s.kind}\u0000${s.key}`));
  // Healthy now: the active incidents of what was judged healthy (and not raised again) count toward resolving.
  const open = await db.query<{ kind: IncidentKind; key: string }>(
    `SELECT kind, key FROM incidents WHERE product_id = $1 AND port = $2 AND state <> 'resolved'`,
    [productId, port],
  );
  // What the contract no longer checks (a check, a dataset dropped by a new version) cannot be
  // failing any more: its incidents resolve like healthy ones instead of staying open for ever.
  const checked = new Set(results.rows.map((r) => r.checkId));
  const volumeKeys = new Set(
    points
      .filter((p) => p.metric === "rowCount" || p.metric === "batchRows")
      .map((p) => `${p.metric === "rowCount" ? "rows" : "batch"}:${p.dataset}`),
  );
  const gone = (kind: IncidentKind, key: string): boolean =>
    kind === "check-failed" || kind === "freshness"
      ? !checked.has(key)
      : kind === "schema-drift"
        ? !declared.has(key)
        : kind === "volume-anomaly"
          ? !volumeKeys.has(key)
          : false;
  for (const o of open.rows) {
    if (raised.has(`${o.kind}\u0000${o.key}`)) continue;
    const h = healthy.get(o.kind);
    if (h === "all" || h?.has(o.key) || gone(o.kind, o.key))
      await clear(db, { productId, port, kind: o.kind, key: o.key }, at);
  }
  void payload;
}
