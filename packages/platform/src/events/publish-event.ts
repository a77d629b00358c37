import type { EventInput, StoredEvent } from "../audit/event-log.js";
import type { Queryable } from "../storage/database.js";
import { queueDeliveries } from "../webhooks/queue-deliveries.js";
import { eventsAppended } from "./event-feed.js";

/** Who an event is addressed to: teams named, and teams found from the products it is about. */
export interface EventAudience {
  teams?: readonly (string | null | undefined)[];
  /** The owner team of each of these products. */
  owners?: readonly string[];
  /** Every consumer team with a live (active or terminating) agreement on these products. */
  consumersOf?: readonly string[];
}

/** The teams an audience names, found in the caller's transaction; sorted, each once. */
export async function audienceTeams(q: Queryable, audience: EventAudience): Promise<string[]> {
  const teams = new Set((audience.teams ?? []).filter((t): t is string => !!t));
  const owners = audience.owners ?? [];
  const consumersOf = audience.consumersOf ?? [];
  if (owners.length > 0 || consumersOf.length > 0) {
    const { rows } = await q.query<{ team: string | null }>(
      `SELECT team_id AS team FROM data_products WHERE id = ANY($1::text[])
       UNION
       SELECT consumer_team FROM agreements
         WHERE product_id = ANY($2::text[]) AND state IN ('active', 'terminating')`,
      [owners, consumersOf],
    );
    for (const r of rows) if (r.team) teams.add(r.team);
  }
  return [...teams].sort();
}

/**
 * Appends an event and queues its delivery to the teams' webhooks, in the caller's transaction:
 * an event rolled back is never delivered. The event keeps its audience (those teams also see it
 * in the feed), and every delivery carries the CloudEvent of the stored event, with its id.
 * Every event Quanta writes goes through here (its type listed in event-types.ts).
 */
export async function publishEvent(q: Queryable, event: EventInput, audience: EventAudience): Promise<StoredEvent> {
  const teams = await audienceTeams(q, audience);
  const { rows } = await q.query<StoredEvent>(
    // Through the function of migration 39: it holds the feed's floor before the id is taken.
    `SELECT id, at, type, subject, actor, payload FROM quanta_append_event($1, $2, $3, $4::jsonb, $5::text[])`,
    [event.type, event.subject, event.actor ?? null, JSON.stringify(event.payload ?? {}), teams],
  );
  const stored = { ...(rows[0] as StoredEvent), id: Number(rows[0]?.id) };
  await queueDeliveries(q, teams, stored);
  eventsAppended();
  return stored;
}
