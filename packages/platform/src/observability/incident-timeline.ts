import type { Queryable } from "../storage/database.js";

/** What happens to an incident, in order (migration 35's incident_timeline). */
export type TimelineType =
  | "opened"
  | "observed"
  | "notified"
  | "acknowledged"
  | "commented"
  | "escalated"
  | "resolved"
  | "reopened";

/** Appends to an incident's timeline. */
export async function addTimeline(
  q: Queryable,
  incidentId: number,
  type: TimelineType,
  actor: string | null,
  text: string | null,
  at?: Date,
): Promise<void> {
  await q.query("INSERT INTO incident_timeline (incident_id, at, type, actor, text) VALUES ($1, $2, $3, $4, $5)", [
    incidentId,
    (at ?? new Date()).toISOString(),
    type,
    actor,
    text,
  ]);
}

/** A notification of the incident reached a receiver (a webhook answered 2xx): the end of time to notify. */
export async function markNotified(q: Queryable, incidentId: number, at: Date): Promise<void> {
  const { rowCount } = await q.query(
    "UPDATE incidents SET notified_at = greatest($2::timestamptz, detected_at) WHERE id = $1 AND notified_at IS NULL",
    [incidentId, at.toISOString()],
  );
  if (rowCount === 1) await addTimeline(q, incidentId, "notified", null, "a webhook receiver took the alert", at);
}
