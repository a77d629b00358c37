import { InputError } from "@quanta/core";
import type { Queryable } from "../storage/database.js";

export interface ExportedEvent {
  /** `pipeline`: a Quanta pipeline run's event (the event log); `received`: one taken in by POST /api/lineage. */
  source: "pipeline" | "received";
  at: string;
  event: Record<string, unknown>;
}

/** Where a page ended: opaque to callers, `at|source|id`. */
const cursorOf = (r: { at: string; source: string; id: string }) =>
  Buffer.from(`${r.at}|${r.source}|${r.id}`).toString("base64url");
function parseCursor(cursor: string): [string, string, string] {
  const [at, source, id] = Buffer.from(cursor, "base64url").toString().split("|");
  if (!at || !source || !id || !/^\d+$/.test(id) || Number.isNaN(Date.parse(at)))
    throw new InputError("after: not a cursor this export answered");
  return [at, source, id];
}

/**
 * The OpenLineage export (ADR 0034): every stored run event, Quanta's own pipeline runs
 * (`lineage.run` in the event log) and the received ones, oldest first (newest last), `limit` per
 * page; `next` continues after the last one, `since` starts at a time.
 */
export async function exportOpenLineage(
  q: Queryable,
  options: { since?: string | undefined; after?: string | undefined; limit: number },
): Promise<{ items: ExportedEvent[]; next: string | null }> {
  if (options.since !== undefined && Number.isNaN(Date.parse(options.since)))
    throw new InputError(`since: "${options.since}" is not a time (ISO 8601)`);
  const [afterAt, afterSource, afterId] = options.after ? parseCursor(options.after) : [null, "", "0"];
  const { rows } = await q.query<{
    at: string;
    source: "pipeline" | "received";
    id: string;
    event: Record<string, unknown>;
  }>(
    `SELECT * FROM (
       SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, at AS ts, 'pipeline' AS source, id::text AS id, payload AS event
       FROM events WHERE type = 'lineage.run'
       UNION ALL
       SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), received_at, 'received', id::text, event
       FROM lineage_events
     ) e
     WHERE ($1::timestamptz IS NULL OR e.ts >= $1::timestamptz)
       AND ($2::timestamptz IS NULL OR (e.ts, e.source, e.id::bigint) > ($2::timestamptz, $3::text, $4::bigint))
     ORDER BY e.ts, e.source, e.id::bigint
     LIMIT $5`,
    [options.since ?? null, afterAt, afterSource, afterId, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({ source: r.source, at: r.at, event: r.event })),
    next: rows.length > options.limit && last ? cursorOf(last) : null,
  };
}
