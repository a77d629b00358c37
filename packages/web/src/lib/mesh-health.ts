import type { DomainHealth, HealthStatus, IncidentSeverity, ProductHealth } from "../api/types.js";
import { severityRank } from "./incidents.js";

export const healthRank: Record<HealthStatus, number> = { failing: 0, degraded: 1, unknown: 2, healthy: 3 };

/** Worst products first: failing, degraded, unknown, healthy; then the worst incident, then the most. */
export function orderProducts(products: readonly ProductHealth[]): ProductHealth[] {
  const sev = (s: IncidentSeverity | null) => (s === null ? 9 : (severityRank[s] ?? 9));
  return [...products].sort(
    (a, b) =>
      (healthRank[a.status] ?? 9) - (healthRank[b.status] ?? 9) ||
      sev(a.worstSeverity) - sev(b.worstSeverity) ||
      b.openIncidents - a.openIncidents ||
      b.breachedSlos - a.breachedSlos ||
      a.name.localeCompare(b.name),
  );
}

/**
 * Worst domains first: the most failing, then the most degraded, then by name; each domain's
 * products ordered too. The platform already answers in this order; the page does not rely on it.
 */
export function orderDomains(domains: readonly DomainHealth[]): DomainHealth[] {
  return [...domains]
    .map((d) => ({ ...d, products: orderProducts(d.products) }))
    .sort(
      (a, b) =>
        b.failing - a.failing || b.degraded - a.degraded || (a.domain ?? "\uffff").localeCompare(b.domain ?? "\uffff"),
    );
}

/** Counts over the whole mesh, for the summary line. */
export function meshTotals(domains: readonly DomainHealth[]): Record<HealthStatus, number> {
  const t: Record<HealthStatus, number> = { healthy: 0, degraded: 0, failing: 0, unknown: 0 };
  for (const d of domains) for (const p of d.products) t[p.status] = (t[p.status] ?? 0) + 1;
  return t;
}

/** The statuses in the order the summary shows them, worst first. */
export const healthStatuses: readonly HealthStatus[] = ["failing", "degraded", "healthy", "unknown"];

const words: Record<HealthStatus, string> = {
  failing: "failing",
  degraded: "degraded",
  healthy: "healthy",
  unknown: "not measured",
};

/** The status in words; an unknown status from a newer platform is shown as it came. */
export const healthLabel = (s: HealthStatus | string): string => words[s as HealthStatus] ?? s;
