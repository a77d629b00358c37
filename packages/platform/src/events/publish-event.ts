import type { EventInput, StoredEvent } from "../audit/event-log.js";
import type { Queryable } from "../storage/database.js";
import { queueDeliveries } from "../webhooks/webhook-service.js";
import { eventsAppended } from "./event-feed.js";

/**
 * Appends an event and queues its delivery to the teams' webhooks, in the caller's transaction:
 * an event rolled back is never delivered. The event keeps its audience (those teams also see it
 * in the feed), and every delivery carries the CloudEvent of the stored event, with its id.
 */
export async function publishEvent(
  q: Queryable,
  event: EventInput,
  audience: { teams: readonly (string | null | undefined)[] },
): Promise<StoredEvent> {
  const teams = [...new Set(audience.teams.filter((t): t is string => !!t))];
  const { rows } = await q.query<StoredEvent>(
    `INSERT INTO events (type, subject, actor, payload, audience) VALUES ($1, $2, $3, $4, $5)
     RETURNING id, at, type, subject, actor, payload`,
    [event.type, event.subject, event.actor ?? null, JSON.stringify(event.payload ?? {}), teams],
  );
  const stored = { ...(rows[0] as StoredEvent), id: Number(rows[0]?.id) };
  await queueDeliveries(q, teams, stored);
  eventsAppended();
  return stored;
}
