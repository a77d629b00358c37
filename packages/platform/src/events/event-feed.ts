import { EventEmitter } from "node:events";
import type { StoredEvent } from "../audit/event-log.js";
import { hasRole, type Principal } from "../identity/principal.js";
import type { Queryable } from "../storage/database.js";
import { typeMatches } from "./event-types.js";

/** Who reads the feed: what decides which events they see (docs/events.md, "Who sees what"). */
export interface FeedReader {
  /** Admins: every event. */
  admin: boolean;
  /** Governance: every event but the private ones (tokens, users, roles) of others. */
  governance: boolean;
  userId: string | null;
  /** The reader's teams: the events addressed to them, and those about their products and agreements. */
  teams: string[];
}

export function readerOf(p: Principal): FeedReader {
  return {
    admin: hasRole(p, "admin"),
    governance: hasRole(p, "governance"),
    userId: p.userId ?? null,
    teams: [...new Set(p.teams.map((m) => m.team))],
  };
}

/** One team's view: only what is addressed to that team (its feed subscriptions apply on top). */
export function teamReader(team: string): FeedReader {
  return { admin: false, governance: false, userId: null, teams: [team] };
}

export interface FeedQuery {
  /** The position to read after (0: from the start). */
  after: number;
  limit: number;
  /** Bare-type patterns (`incident.*`); any of them. */
  types?: readonly string[] | undefined;
  subject?: string | undefined;
  /** Further per-event filter (a team's subscriptions). */
  accept?: ((e: StoredEvent) => boolean) | undefined;
}

export interface FeedPage {
  /** Oldest first, each at most once across pages. */
  events: StoredEvent[];
  /** Where the next read starts: the last position this read went past (events hidden from the reader included). */
  position: number;
  /** Whether more events are there already (read again at once from `position`). */
  more: boolean;
}

export interface FeedOptions {
  /** How long a gap in the ids is waited for (a transaction that took an id and has not committed). */
  settleMs?: number;
  /** The longest an event waits for older transactions still running (a stuck one must not stop the feed). */
  holdMaxMs?: number;
  /** Rows looked at per read at most, whatever the reader may see of them (bounds each read's work). */
  scanRows?: number;
}

export const defaultSettleMs = 2_000;
const defaultHoldMaxMs = 60_000;
const defaultScanRows = 1_000;

/**
 * The event log as a feed of positions (ADR 0037). Ids are taken when a row is written but become
 * visible when its transaction commits, so a reader that went past id 11 while 10 was still being
 * written would never see 10. The feed serves an event only once every transaction that began
 * writing before its own has ended (`xid` below the snapshot's xmin), and stops at a gap in the ids
 * until the event after the gap is `settleMs` old (a gap that old is a rollback, not a writer).
 * So a position, once passed, is never filled in behind the reader: each event comes once.
 */
export class EventFeed {
  private readonly settleMs: number;
  private readonly holdMaxMs: number;
  private readonly scanRows: number;

  constructor(
    private readonly q: Queryable,
    options: FeedOptions = {},
  ) {
    this.settleMs = options.settleMs ?? defaultSettleMs;
    this.holdMaxMs = options.holdMaxMs ?? defaultHoldMaxMs;
    this.scanRows = options.scanRows ?? defaultScanRows;
  }

  async read(reader: FeedReader, query: FeedQuery): Promise<FeedPage> {
    const { rows } = await this.q.query<StoredEvent & { settled: boolean; old: boolean; visible: boolean }>(
      `SELECT e.id, e.at, e.type, e.subject, e.actor, e.payload,
         (e.xid < pg_snapshot_xmin(pg_current_snapshot())
           OR e.at < now() - make_interval(secs => $3::double precision / 1000)) AS settled,
         e.at < now() - make_interval(secs => $4::double precision / 1000) AS old,
         CASE
           WHEN e.type ~ '^(token|user|role|secret)\\.' THEN ($5 OR e.subject = $7)
           WHEN $5 OR $6 THEN true
           ELSE (
             e.audience && $8::text[]
             OR e.subject = ANY($8::text[])
             OR EXISTS (SELECT 1 FROM data_products p
                        WHERE p.id IN (e.subject, e.payload->>'productId') AND p.team_id = ANY($8::text[]))
             OR EXISTS (SELECT 1 FROM agreements a
                        WHERE a.consumer_team = ANY($8::text[])
                          AND (a.id = e.subject
                               OR (a.product_id IN (e.subject, e.payload->>'productId')
                                   AND a.state IN ('requested', 'active', 'terminating'))))
             OR EXISTS (SELECT 1 FROM agreements a JOIN data_products p ON p.id = a.product_id
                        WHERE a.id = e.subject AND p.team_id = ANY($8::text[]))
             OR EXISTS (SELECT 1 FROM contracts c JOIN data_products p ON p.id = c.product_id
                        WHERE c.id = e.subject AND p.team_id = ANY($8::text[]))
           )
         END AS visible
       FROM events e WHERE e.id > $1 ORDER BY e.id LIMIT $2`,
      [
        query.after,
        this.scanRows,
        this.holdMaxMs,
        this.settleMs,
        reader.admin,
        reader.governance,
        reader.userId,
        reader.teams,
      ],
    );
    const events: StoredEvent[] = [];
    let position = query.after;
    let stopped = false;
    for (const r of rows) {
      const id = Number(r.id);
      // An older writer still running, or a gap that may yet fill: go no further for now.
      if (!r.settled || (id !== position + 1 && !r.old)) {
        stopped = true;
        break;
      }
      position = id;
      const { settled: _s, old: _o, visible, ...event } = r;
      if (!visible || !this.wanted(event, query)) continue;
      events.push({ ...event, id });
      if (events.length >= query.limit) {
        stopped = r !== rows[rows.length - 1] || rows.length === this.scanRows;
        return { events, position, more: stopped };
      }
    }
    return { events, position, more: !stopped && rows.length === this.scanRows };
  }

  private wanted(e: StoredEvent, query: FeedQuery): boolean {
    if (query.types && query.types.length > 0 && !query.types.some((t) => typeMatches(t, e.type))) return false;
    if (query.subject !== undefined && e.subject !== query.subject) return false;
    return query.accept ? query.accept(e) : true;
  }
}

const appended = new EventEmitter();
appended.setMaxListeners(0);

/**
 * Tells this process's live readers that an event was written (they read the store again; a second
 * time shortly after, for one written in a transaction that had not committed yet). Other replicas'
 * events are found by the readers' polling.
 */
export function eventsAppended(): void {
  appended.emit("appended");
  setTimeout(() => appended.emit("appended"), 150).unref();
}

export function onEventsAppended(listener: () => void): () => void {
  appended.on("appended", listener);
  return () => appended.off("appended", listener);
}
