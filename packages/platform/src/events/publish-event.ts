import { type EventInput, EventLog, type StoredEvent } from "../audit/event-log.js";
import type { Queryable } from "../storage/database.js";
import { notifyTeams } from "../webhooks/webhook-service.js";

/**
 * Appends an event and queues its delivery to the teams' webhooks, in the caller's transaction:
 * an event rolled back is never delivered.
 */
export async function publishEvent(
  q: Queryable,
  event: EventInput,
  audience: { teams: readonly (string | null | undefined)[] },
): Promise<StoredEvent> {
  const stored = await new EventLog(q).append(event);
  await notifyTeams(q, audience.teams, { type: event.type, subject: event.subject, ...(event.payload ?? {}) });
  return stored;
}
