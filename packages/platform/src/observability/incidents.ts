import { withoutSamples } from "@quanta/core";
import { publishEvent } from "../events/publish-event.js";
import type { Database, Queryable } from "../storage/database.js";
import { incidentAudience } from "./incident-audience.js";
import { addTimeline } from "./incident-timeline.js";

export { addTimeline, markNotified } from "./incident-timeline.js";

/** What a detection found; one open incident per product, port, kind and key (the dedupe key). */
export type IncidentKind =
  | "schema-drift"
  | "volume-anomaly"
  | "freshness"
  | "check-failed"
  | "unreadable"
  | "lifecycle"
  | "slo-burn";

export const incidentKinds = [
  "schema-drift",
  "volume-anomaly",
  "freshness",
  "check-failed",
  "unreadable",
  "lifecycle",
  "slo-burn",
] as const satisfies readonly IncidentKind[];

export type IncidentSeverity = "critical" | "high" | "medium" | "low";

export const incidentSeverities = ["critical", "high", "medium", "low"] as const satisfies readonly IncidentSeverity[];

/** Higher is worse. */
export const severityRank: Record<IncidentSeverity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

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
  /** Healthy observations in a row that resolve it (default 1). */
  resolveAfter?: number;
  /** A fault seen again within this long after it resolved reopens the same incident, without a new alert (default 1 h). */
  cooldownMs?: number;
}

export type IncidentState = "open" | "acknowledged" | "resolved";

export const defaultCooldownMs = 3_600_000;

/** The most healthy observations in a row a reopened (flapping) incident waits for before it resolves. */
export const maxResolveAfter = 8;

/** The actor of what Quanta does by itself. */
export const quantaActor = "quanta";

interface Row {
  id: number;
  productId: string;
  port: string | null;
  kind: IncidentKind;
  key: string;
  severity: IncidentSeverity;
  state: IncidentState;
  title: string;
  detail: Record<string, unknown>;
  healthyStreak: number;
  resolveAfter: number;
}

const rowColumns = `id, product_id AS "productId", port, kind, key, severity, state, title, detail,
  healthy_streak AS "healthyStreak", resolve_after AS "resolveAfter"`;

const sameKey = "product_id = $1 AND coalesce(port, '') = coalesce($2::text, '') AND kind = $3 AND key = $4";

/**
 * An incident's detail without the data's own values: a failed check's reason may quote offending
 * values, which only the owner team sees (events reach consumers and downstream teams too).
 */
export function withoutSampleValues(detail: Record<string, unknown>): Record<string, unknown> {
  const { samples: _samples, ...rest } = detail;
  if (typeof rest.reason !== "string") return rest;
  const shown = withoutSamples(rest.reason);
  return shown.hidden ? { ...rest, reason: `${shown.reason}; the values are shown to the owner team only` } : rest;
}

/** Publishes an incident event to its audience (owner, consumers with agreements, downstream owners). */
export async function publishIncident(
  q: Queryable,
  type: "opened" | "updated" | "acknowledged" | "commented" | "resolved",
  incident: Pick<Row, "id" | "productId" | "port" | "kind" | "severity" | "title" | "detail">,
  actor: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const teams = await incidentAudience(q, incident.productId, incident.port);
  await publishEvent(
    q,
    {
      type: `incident.${type}`,
      subject: incident.productId,
      actor,
      payload: {
        incidentId: Number(incident.id),
        productId: incident.productId,
        port: incident.port,
        kind: incident.kind,
        severity: incident.severity,
        title: incident.title,
        detail: withoutSampleValues(incident.detail ?? {}),
        ...extra,
      },
    },
    { teams },
  );
}

async function active(q: Queryable, s: Pick<Signal, "productId" | "port" | "kind" | "key">): Promise<Row | undefined> {
  const { rows } = await q.query<Row>(
    `SELECT ${rowColumns} FROM incidents WHERE ${sameKey} AND state <> 'resolved' FOR UPDATE`,
    [s.productId, s.port, s.kind, s.key],
  );
  return rows[0];
}

/** Opens an incident for the signal, or updates the open one with the same dedupe key. */
export async function raise(db: Database, signal: Signal): Promise<void> {
  const at = signal.observedAt ?? new Date();
  const startedAt = signal.startedAt && signal.startedAt <= at ? signal.startedAt : at;
  const detail = JSON.stringify(signal.detail ?? {});
  const resolveAfter = Math.max(1, Math.floor(signal.resolveAfter ?? 1));
  await db.transaction(async (tx) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const open = await active(tx, signal);
      if (open) {
        // Severity goes up with the signal, never down without a person saying so.
        const up = severityRank[signal.severity] > severityRank[open.severity];
        const severity = up ? signal.severity : open.severity;
        await tx.query(
          `UPDATE incidents SET occurrences = occurrences + 1, last_seen_at = greatest(last_seen_at, $2),
             healthy_streak = 0, severity = $3, title = $4, detail = $5, resolve_after = greatest(resolve_after, $6)
           WHERE id = $1`,
          [open.id, at.toISOString(), severity, signal.title, detail, resolveAfter],
        );
        if (up) {
          await addTimeline(
            tx,
            open.id,
            "escalated",
            quantaActor,
            `${open.severity} → ${severity}: ${signal.title}`,
            at,
          );
          await publishIncident(
            tx,
            "updated",
            { ...open, severity, title: signal.title, detail: signal.detail ?? {} },
            quantaActor,
            {
              previousSeverity: open.severity,
            },
          );
        } else if (open.title !== signal.title) {
          await addTimeline(tx, open.id, "observed", quantaActor, signal.title, at);
        }
        return;
      }
      // Seen again soon after it resolved: the same incident, reopened, and no new alert (no storm).
      // A flapping signal doubles its hysteresis each time, so it must stay healthy longer to resolve again.
      const cooldown = signal.cooldownMs ?? defaultCooldownMs;
      const recent = await tx.query<Row>(
        `SELECT ${rowColumns} FROM incidents WHERE ${sameKey} AND state = 'resolved' AND resolved_at >= $5
         ORDER BY resolved_at DESC, id DESC LIMIT 1 FOR UPDATE`,
        [signal.productId, signal.port, signal.kind, signal.key, new Date(at.getTime() - cooldown).toISOString()],
      );
      const again = recent.rows[0];
      if (again) {
        const reopened = await tx.query(
          `UPDATE incidents SET state = 'open', resolved_at = NULL, resolved_by = NULL, healthy_streak = 0,
             occurrences = occurrences + 1, last_seen_at = $2, title = $3, detail = $4,
             resolve_after = least($8::int, greatest($5::int, resolve_after * 2)),
             severity = CASE WHEN $6 > (CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)
               THEN $7 ELSE severity END
           WHERE id = $1
             AND NOT EXISTS (SELECT 1 FROM incidents o WHERE o.state <> 'resolved' AND o.product_id = incidents.product_id
               AND coalesce(o.port, '') = coalesce(incidents.port, '') AND o.kind = incidents.kind AND o.key = incidents.key)`,
          [
            again.id,
            at.toISOString(),
            signal.title,
            detail,
            resolveAfter,
            severityRank[signal.severity],
            signal.severity,
            maxResolveAfter,
          ],
        );
        if (reopened.rowCount === 1) {
          await addTimeline(tx, again.id, "reopened", quantaActor, signal.title, at);
          // Not a new alert (no incident.opened), but those who heard it resolved hear it is open again;
          // the doubled hysteresis bounds how often that can happen.
          const up = severityRank[signal.severity] > severityRank[again.severity];
          await publishIncident(
            tx,
            "updated",
            {
              ...again,
              severity: up ? signal.severity : again.severity,
              title: signal.title,
              detail: signal.detail ?? {},
            },
            quantaActor,
            { reopened: true, state: "open" },
          );
          return;
        }
        continue;
      }
      const inserted = await tx.query<{ id: number }>(
        `INSERT INTO incidents (product_id, port, kind, key, severity, state, title, detail, started_at, detected_at,
           last_seen_at, resolve_after)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $9, $10)
         ON CONFLICT (product_id, (coalesce(port, '')), kind, key) WHERE state <> 'resolved' DO NOTHING
         RETURNING id`,
        [
          signal.productId,
          signal.port,
          signal.kind,
          signal.key,
          signal.severity,
          signal.title,
          detail,
          startedAt.toISOString(),
          at.toISOString(),
          resolveAfter,
        ],
      );
      const id = inserted.rows[0]?.id;
      if (id === undefined) continue; // another transaction opened it just now: update that one
      await addTimeline(tx, Number(id), "opened", quantaActor, signal.title, at);
      await publishIncident(tx, "opened", { id: Number(id), ...signal, detail: signal.detail ?? {} }, quantaActor);
      return;
    }
  });
}

/** The thing is healthy again: the open incidents in this scope resolve (after the hysteresis). */
export async function clear(
  db: Database,
  scope: { productId: string; port: string | null; kind: IncidentKind; key?: string },
  healthyAt?: Date,
): Promise<void> {
  const at = healthyAt ?? new Date();
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<Row>(
      `SELECT ${rowColumns} FROM incidents
       WHERE product_id = $1 AND coalesce(port, '') = coalesce($2::text, '') AND kind = $3
         AND ($4::text IS NULL OR key = $4) AND state <> 'resolved'
       ORDER BY id FOR UPDATE`,
      [scope.productId, scope.port, scope.kind, scope.key ?? null],
    );
    for (const r of rows) {
      const streak = r.healthyStreak + 1;
      if (streak < r.resolveAfter) {
        await tx.query("UPDATE incidents SET healthy_streak = $2 WHERE id = $1", [r.id, streak]);
        continue;
      }
      await tx.query(
        `UPDATE incidents SET state = 'resolved', resolved_at = $2, resolved_by = $3, healthy_streak = $4 WHERE id = $1`,
        [r.id, at.toISOString(), quantaActor, streak],
      );
      await addTimeline(tx, Number(r.id), "resolved", quantaActor, "healthy again", at);
      await publishIncident(tx, "resolved", r, quantaActor, { resolvedBy: quantaActor });
    }
  });
}

/** Open incidents per product and severity, for /metrics. */
export async function openIncidentCounts(
  q: Queryable,
): Promise<{ productId: string; severity: IncidentSeverity; open: number }[]> {
  const { rows } = await q.query<{ productId: string; severity: IncidentSeverity; open: number }>(
    `SELECT product_id AS "productId", severity, count(*)::int AS open FROM incidents
     WHERE state <> 'resolved' GROUP BY product_id, severity ORDER BY product_id, severity`,
  );
  return rows.map((r) => ({ ...r, open: Number(r.open) }));
}
