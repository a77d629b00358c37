import type { Queryable } from "../../storage/database.js";
import { type IncidentSeverity, openIncidentCounts } from "../incidents.js";
import { evaluateProduct } from "./slo-service.js";

export type ProductHealth = "healthy" | "degraded" | "failing" | "unknown";

export interface MeshHealth {
  at: string;
  domains: {
    domain: string;
    healthy: number;
    degraded: number;
    failing: number;
    products: {
      id: string;
      name: string;
      domain: string;
      team: string | null;
      status: ProductHealth;
      openIncidents: number;
      worstSeverity: IncidentSeverity | null;
      breachedSlos: number;
      reasons: string[];
    }[];
  }[];
}

const severityRank: Record<IncidentSeverity, number> = { critical: 4, high: 3, medium: 2, low: 1 };
const statusRank: Record<ProductHealth, number> = { failing: 3, degraded: 2, unknown: 1, healthy: 0 };

/** Open incidents per product and severity: the incidents table when it exists, else the seam. */
async function openIncidents(q: Queryable) {
  const { rows } = await q.query<{ t: string | null }>("SELECT to_regclass('incidents')::text AS t");
  if (rows[0]?.t) {
    const open = await q.query<{ productId: string; severity: IncidentSeverity; open: number }>(
      `SELECT product_id AS "productId", severity, count(*)::int AS open FROM incidents
       WHERE state <> 'resolved' GROUP BY product_id, severity`,
    );
    return open.rows;
  }
  return openIncidentCounts(q);
}

/**
 * The mesh's health per domain (ADR 0039): failing with an open critical or high incident, a
 * breached SLO or a last contract test that failed or could not run; degraded with any other open
 * incident or an SLO at risk; unknown when nothing was measured; else healthy. Worst first.
 * Retired products are left out (ADR 0042): no one may read them, so their health is no one's.
 */
export async function meshHealth(q: Queryable, now = new Date()): Promise<MeshHealth> {
  const { rows: products } = await q.query<{ id: string; name: string; domain: string | null; team: string | null }>(
    // A retired product (a tombstone past its end of life) is gone from the mesh, not failing in it.
    "SELECT id, name, domain_id AS domain, team_id AS team FROM data_products WHERE status IS DISTINCT FROM 'retired' ORDER BY id",
  );
  const incidents = await openIncidents(q);
  const { rows: lastRuns } = await q.query<{ productId: string; status: string }>(
    `SELECT DISTINCT ON (product_id, contract_id) product_id AS "productId", status FROM test_runs
     WHERE status NOT IN ('running', 'abandoned') ORDER BY product_id, contract_id, started_at DESC, id DESC`,
  );
  const byDomain = new Map<string, MeshHealth["domains"][number]>();
  for (const p of products) {
    const mine = incidents.filter((i) => i.productId === p.id && i.open > 0);
    const openCount = mine.reduce((n, i) => n + i.open, 0);
    const worst = mine.map((i) => i.severity).sort((a, b) => severityRank[b] - severityRank[a])[0] ?? null;
    const objectives = await evaluateProduct(q, p.id, { now });
    const breached = objectives.filter((o) => o.status === "breached");
    const atRisk = objectives.filter((o) => o.status === "at-risk");
    const runs = lastRuns.filter((r) => r.productId === p.id);
    const badRuns = runs.filter((r) => r.status === "failed" || r.status === "error");
    const reasons: string[] = [];
    if (openCount > 0) reasons.push(`${openCount} open incident(s), the worst ${worst}`);
    for (const o of breached) reasons.push(`${o.port} ${o.property} SLO breached: ${o.reason}`);
    for (const o of atRisk) reasons.push(`${o.port} ${o.property} SLO at risk: ${o.reason}`);
    if (badRuns.length > 0)
      reasons.push(`${badRuns.length} contract(s) whose last test ${badRuns.map((r) => r.status).join(", ")}`);
    const measured = runs.length > 0 || objectives.some((o) => o.status !== "unknown") || openCount > 0;
    const status: ProductHealth =
      (worst !== null && severityRank[worst] >= severityRank.high) || breached.length > 0 || badRuns.length > 0
        ? "failing"
        : openCount > 0 || atRisk.length > 0
          ? "degraded"
          : measured
            ? "healthy"
            : "unknown";
    if (status === "unknown") reasons.push("no contract test, probe or read measured it yet");
    const domain = p.domain ?? "(no domain)";
    const d = byDomain.get(domain) ?? { domain, healthy: 0, degraded: 0, failing: 0, products: [] };
    byDomain.set(domain, d);
    if (status !== "unknown") d[status]++;
    d.products.push({
      id: p.id,
      name: p.name,
      domain,
      team: p.team,
      status,
      openIncidents: openCount,
      worstSeverity: worst,
      breachedSlos: breached.length,
      reasons,
    });
  }
  const domains = [...byDomain.values()];
  for (const d of domains)
    d.products.sort(
      (a, b) =>
        statusRank[b.status] - statusRank[a.status] || b.openIncidents - a.openIncidents || a.id.localeCompare(b.id),
    );
  domains.sort((a, b) => b.failing - a.failing || b.degraded - a.degraded || a.domain.localeCompare(b.domain));
  return { at: now.toISOString(), domains };
}
