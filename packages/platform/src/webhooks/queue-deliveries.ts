import type { StoredEvent } from "../audit/event-log.js";
import { toCloudEvent } from "../events/cloud-event.js";
import { subscribed, subscriptionsOf } from "../events/subscription-match.js";
import type { Queryable } from "../storage/database.js";

export const webhookDeliveryKind = "webhook-delivery";
/** Attempts per delivery before it is given up (the queue backs off between them). */
export const webhookAttempts = 6;
/** Deliveries one worker runs at once: a slow receiver holds up one of them, not the others. */
export const webhookDeliveryConcurrency = 8;

/**
 * Queues one delivery per webhook of each team, in the caller's transaction: an event that is
 * rolled back is never delivered, and one that commits is delivered by a worker with retries.
 * Each delivery carries the stored event as a CloudEvent (its id the feed position). A team with
 * subscriptions gets only the events one of them matches (ADR 0037); with none, all of them.
 */
export async function queueDeliveries(
  q: Queryable,
  teams: readonly (string | null | undefined)[],
  event: StoredEvent,
): Promise<number> {
  const ids = [...new Set(teams.filter((t): t is string => !!t))];
  if (ids.length === 0) return 0;
  const { rows } = await q.query<{ id: string; team_id: string; url: string }>(
    "SELECT id, team_id, url FROM webhooks WHERE team_id = ANY($1::text[]) AND removed_at IS NULL ORDER BY id",
    [ids],
  );
  if (rows.length === 0) return 0;
  const subs = await subscriptionsOf(q, ids);
  const cloudEvent = toCloudEvent(event).toJSON();
  let queued = 0;
  for (const hook of rows) {
    const own = subs.filter((s) => s.teamId === hook.team_id);
    if (!subscribed(own, { webhookId: hook.id }, event)) continue;
    await q.query("INSERT INTO jobs (kind, payload, max_attempts) VALUES ($1, $2, $3)", [
      webhookDeliveryKind,
      JSON.stringify({ webhookId: hook.id, team: hook.team_id, url: hook.url, eventId: event.id, cloudEvent }),
      webhookAttempts,
    ]);
    queued++;
  }
  return queued;
}
