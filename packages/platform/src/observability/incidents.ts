import type { Database, Queryable } from "../storage/database.js";

/** What a detection found; one open incident per product, port, kind and key (the dedupe key). */
export type IncidentKind =
  | "schema-drift"
  | "volume-anomaly"
  | "freshness"
  | "check-failed"
  | "unreadable"
  | "lifecycle"
  | "slo-burn";

export type IncidentSeverity = "critical" | "high" | "medium" | "low";

/** One observation of something wrong; raised again while it lasts, it updates the same incident. */
export interface Signal {
  productId: string;
  port: string | null;
  kind: IncidentKind;
  /** Within the kind: e.g. the dataset and column, the check id, the SLO's property. */
  key: string;
  severity: IncidentSeverity;
  title: string;
  detail?: Record<string, unknown>;
  /** When it was seen (default now). */
  observedAt?: Date;
  /** When the fault began, as far as the platform knows (the bad version landed): the start of time to detect. */
  startedAt?: Date;
}

/** Opens an incident for the signal, or updates the open one with the same dedupe key. */
export async function raise(_db: Database, _signal: Signal): Promise<void> {}

/** The thing is healthy again: the open incidents in this scope resolve (after the hysteresis). */
export async function clear(
  _db: Database,
  _scope: { productId: string; port: string | null; kind: IncidentKind; key?: string },
  _healthyAt?: Date,
): Promise<void> {}

/** A notification of the incident reached a receiver (a webhook answered 2xx): the end of time to notify. */
export async function markNotified(_q: Queryable, _incidentId: number, _at: Date): Promise<void> {}

/** Open incidents per product and severity, for /metrics. */
export async function openIncidentCounts(
  _q: Queryable,
): Promise<{ productId: string; severity: IncidentSeverity; open: number }[]> {
  return [];
}
