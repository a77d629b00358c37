import { buildChecks } from "@quanta/core";
import type { Database } from "../storage/database.js";
import { type IncidentKind, type IncidentSeverity, raise } from "./incidents.js";

/** A check of the gate's run, as `testStagedFile` summarises it. */
export interface RefusedCheck {
  checkId: string;
  dataset: string | null;
  status: string;
  value?: unknown;
  threshold?: unknown;
  reason: string | null;
}

/** Data that was to become a port's version and did not: its columns or its checks failed the contract. */
export interface RefusedLanding {
  productId: string;
  port: string;
  dataset: string;
  /** How it came: a `PUT …/data` upload or a pipeline run's output. */
  source: "publish" | "pipeline";
  /** The staged version that stays unpublished. */
  version: number;
  /** The pipeline run, for a pipeline output. */
  runId?: number | undefined;
  /** The contract the gate tested against (to tell freshness checks from the rest). */
  contract: unknown;
  /** The file's columns against the contract's dataset. */
  columns?: { unknown: readonly string[]; missing: readonly string[] } | undefined;
  checks?: readonly RefusedCheck[] | undefined;
  at?: Date;
}

/**
 * A refused landing is a detection too: the gate kept the bad data from readers, but its owners
 * must hear that a producer sends data the contract does not allow. The incidents use the same
 * kinds and keys as the detections after a contract test (schema drift per dataset, a freshness
 * breach or a failed check per check id), so the next good version's test resolves them.
 */
export async function landingRefused(db: Database, r: RefusedLanding): Promise<void> {
  const at = r.at ?? new Date();
  const base = { productId: r.productId, port: r.port, observedAt: at, startedAt: at };
  const from = r.source === "pipeline" ? `the output of pipeline run ${r.runId ?? "?"}` : "an upload";
  const origin = { source: r.source, version: r.version, ...(r.runId !== undefined ? { pipelineRun: r.runId } : {}) };
  const unknown = r.columns?.unknown ?? [];
  const missing = r.columns?.missing ?? [];
  if (unknown.length + missing.length > 0) {
    const what = [
      unknown.length ? `added ${unknown.join(", ")}` : "",
      missing.length ? `missing ${missing.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; ");
    await raise(db, {
      ...base,
      kind: "schema-drift",
      key: r.dataset,
      severity: missing.length > 0 ? "high" : "medium",
      title: `${r.productId}.${r.port}: ${from} was refused, the schema of ${r.dataset} drifted: ${what} against the contract`,
      detail: {
        ...origin,
        dataset: r.dataset,
        contract: { added: unknown.map((name) => ({ name })), removed: missing.map((name) => ({ name })), retyped: [] },
      },
    });
  }
  const bad = (r.checks ?? []).filter((c) => c.status === "failed" || c.status === "error");
  if (bad.length === 0) return;
  const checks = new Map(buildChecks(r.contract).map((c) => [c.key, c]));
  for (const c of bad) {
    const check = checks.get(c.checkId);
    const freshness =
      check?.type === "freshness" || c.checkId.startsWith("sla.freshness") || c.checkId.startsWith("sla.latency");
    const kind: IncidentKind = freshness ? "freshness" : "check-failed";
    const severity: IncidentSeverity = c.status === "failed" && check?.severity === "warning" ? "low" : "high";
    const name = check?.name ?? c.checkId;
    await raise(db, {
      ...base,
      kind,
      key: c.checkId,
      severity,
      title: `${r.productId}.${r.port}: ${from} was refused, ${name} ${freshness ? "is breached" : c.status === "error" ? "could not run" : "failed"}`,
      detail: {
        ...origin,
        checkId: c.checkId,
        dataset: c.dataset ?? r.dataset,
        status: c.status,
        value: c.value ?? null,
        threshold: c.threshold ?? null,
        reason: c.reason,
        dimension: check?.dimension ?? null,
      },
    });
  }
}

/**
 * The gate's error, read for what it refused (`wrong-schema`: the columns; `checks-failed`: the
 * checks), reported as `landingRefused`. Anything else (a file cut off, not readable) is no data
 * fault to alert on. Never throws: the caller's answer is the refusal itself.
 */
export async function reportRefusal(
  db: Database,
  landing: Omit<RefusedLanding, "columns" | "checks">,
  error: unknown,
  log: (line: string) => void = () => {},
): Promise<void> {
  const e = error as { code?: unknown; details?: Record<string, unknown> } | undefined;
  const details = e?.details ?? {};
  const names = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  let refused: RefusedLanding | undefined;
  if (e?.code === "wrong-schema")
    refused = { ...landing, columns: { unknown: names(details.unknown), missing: names(details.missing) } };
  else if (e?.code === "checks-failed" && Array.isArray(details.checks))
    refused = { ...landing, checks: details.checks as RefusedCheck[] };
  if (!refused) return;
  await landingRefused(db, refused).catch((x: unknown) =>
    log(`detect ${landing.productId}.${landing.port}: ${(x as Error)?.message ?? x}`),
  );
}
