import type { Queryable } from "../storage/database.js";

export interface EventInput {
  type: string;
  /** What changed: a product id, a contract id, a team id. */
  subject: string;
  actor?: string | undefined;
  payload?: Record<string, unknown>;
}

export interface StoredEvent {
  id: number;
  at: string;
  type: string;
  subject: string;
  actor: string | null;
  payload: Record<string, unknown>;
}

/**
 * The append-only log of everything that changed (the table refuses UPDATE and DELETE), read here;
 * events are written by `publishEvent` (events/publish-event.ts), which also keeps their audience.
 */
export class EventLog {
  constructor(private readonly q: Queryable) {}

  /** Oldest first; `afterId` pages through the log (and lets a reader follow it). */
  async list(options: { subject?: string; afterId?: number; limit?: number } = {}): Promise<StoredEvent[]> {
    const { rows } = await this.q.query<StoredEvent>(
      `SELECT id, at, type, subject, actor, payload FROM events
       WHERE ($1::text IS NULL OR subject = $1) AND id > $2
       ORDER BY id LIMIT $3`,
      [options.subject ?? null, options.afterId ?? 0, options.limit ?? 100],
    );
    // bigint: a string from PostgreSQL; a position is a number everywhere (ids stay far below 2^53).
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }
}
